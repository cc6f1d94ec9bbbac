from tests.authz.matrix import Route

# Counts and rates of the whole organisation: its admins only.
ADMIN_ONLY = {"admin": 200, "other_org_admin": 200}

ROUTES = [
    Route("organisation_figures", expect=ADMIN_ONLY, default=403),
    Route("organisation_figures_csv", expect=ADMIN_ONLY, default=403),
]
