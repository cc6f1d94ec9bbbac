"""Looking back: organisation figures for admins (counts and rates, never content), and the
coach's and client's progress over months. Reads only, one floor above coaching."""
