from django.apps import AppConfig


class RFQsConfig(AppConfig):
    name = "rfqs"
    # The tables, migrations, content types and permissions keep the label they were created
    # under: the models moved out of the procurement package, nothing in the database did.
    label = "procurement"
    verbose_name = "Procurement (RFQs)"
