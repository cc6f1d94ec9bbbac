from .actor import ANONYMOUS


def organisation(request):
    actor = getattr(request, "actor", ANONYMOUS)
    return {"actor": actor}
