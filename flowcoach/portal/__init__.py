"""What a client sees of their own coaching: the portal page, their preparation ticks, the
records download and the client API's reads. Everything a client can see is read here, one
floor above coaching and clients, so the privacy proof walks one place."""
