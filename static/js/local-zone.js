// Starts a time zone choice on the zone this browser is set to, so a new person does not
// begin from UTC. Only a field nobody has touched yet (still on its default) is changed.
for (const select of document.querySelectorAll("select[data-local-zone]")) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const untouched = select.value === select.dataset.localZone;
  if (zone && untouched && [...select.options].some((option) => option.value === zone)) {
    select.value = zone;
  }
}
