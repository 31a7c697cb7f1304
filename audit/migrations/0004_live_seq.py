from django.db import migrations, models


class Migration(migrations.Migration):
    """Live delivery bookkeeping. Events written before it are not replayed to live clients
    (their streams start at last_live_seq 0), which clients cannot mistake for a loss."""

    dependencies = [
        ('audit', '0003_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditstream',
            name='last_live_seq',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='live_prev_seq',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
    ]
