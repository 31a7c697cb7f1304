"""Reference data every deployment starts with: procurement categories and major ports."""

CATEGORIES = [
    ("provisions", "Provisions"),
    ("deck", "Deck stores"),
    ("engine", "Engine spares"),
    ("safety", "Safety equipment"),
    ("cabin", "Cabin stores"),
    ("chemicals", "Chemicals and lubricants"),
    ("services", "Services"),
]

# (UN/LOCODE, name, ISO country, latitude, longitude)
PORTS = [
    ("SGSIN", "Singapore", "SG", "1.26440", "103.82220"),
    ("NLRTM", "Rotterdam", "NL", "51.92250", "4.47917"),
    ("BEANR", "Antwerp", "BE", "51.21940", "4.40250"),
    ("DEHAM", "Hamburg", "DE", "53.54610", "9.96610"),
    ("GBSOU", "Southampton", "GB", "50.90000", "-1.40400"),
    ("ESALG", "Algeciras", "ES", "36.13000", "-5.44000"),
    ("GIGIB", "Gibraltar", "GI", "36.14080", "-5.35360"),
    ("MTMLA", "Valletta", "MT", "35.89890", "14.51460"),
    ("GRPIR", "Piraeus", "GR", "37.94200", "23.64650"),
    ("TRIST", "Istanbul", "TR", "41.00820", "28.97840"),
    ("EGPSD", "Port Said", "EG", "31.26530", "32.30190"),
    ("AEJEA", "Jebel Ali", "AE", "25.01120", "55.06110"),
    ("INBOM", "Mumbai", "IN", "18.94890", "72.84000"),
    ("LKCMB", "Colombo", "LK", "6.94970", "79.84280"),
    ("CNSHA", "Shanghai", "CN", "31.23040", "121.47370"),
    ("HKHKG", "Hong Kong", "HK", "22.31930", "114.16940"),
    ("KRPUS", "Busan", "KR", "35.10280", "129.04030"),
    ("JPYOK", "Yokohama", "JP", "35.44370", "139.63800"),
    ("PHMNL", "Manila", "PH", "14.59950", "120.98420"),
    ("AUSYD", "Sydney", "AU", "-33.85680", "151.21530"),
    ("ZADUR", "Durban", "ZA", "-29.87110", "31.02600"),
    ("NGLOS", "Lagos", "NG", "6.45000", "3.40000"),
    ("BRSSZ", "Santos", "BR", "-23.96080", "-46.33360"),
    ("PABLB", "Balboa", "PA", "8.95000", "-79.56670"),
    ("USHOU", "Houston", "US", "29.73550", "-95.27000"),
    ("USNYC", "New York", "US", "40.68400", "-74.04400"),
    ("USLAX", "Los Angeles", "US", "33.74050", "-118.27200"),
    ("NOBGO", "Bergen", "NO", "60.39130", "5.32210"),
    ("NOOSL", "Oslo", "NO", "59.90700", "10.74000"),
    ("DKCPH", "Copenhagen", "DK", "55.67610", "12.56830"),
]


def load_reference_data(category_model, port_model) -> None:
    """Create or refresh the categories and ports (idempotent; used by a migration and seed_demo)."""
    for slug, name in CATEGORIES:
        category_model.objects.update_or_create(slug=slug, defaults={"name": name})
    for code, name, country, lat, lon in PORTS:
        port_model.objects.update_or_create(code=code, defaults={"name": name, "country": country,
                                                                 "latitude": lat, "longitude": lon})
