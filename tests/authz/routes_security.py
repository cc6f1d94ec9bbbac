from tests.authz.matrix import Route

ROUTES = [
    # Browsers post Content-Security-Policy reports without cookies or a CSRF token; anyone
    # may report, nobody may read.
    Route("csp_report", expect={"anonymous": 405}, default=405),
    Route("csp_report", method="POST", expect={"anonymous": 204}, default=204),
]
