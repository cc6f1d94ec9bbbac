// Starts a time zone choice on the zone this browser is set to, so a new person does not
// begin from UTC. Only a field nobody has touched yet (still on its default) is changed.
// Some browsers report an old name (Asia/Calcutta); data-zone-aliases maps it to today's.
for (const select of document.querySelectorAll("select[data-local-zone]")) {
  const reported = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const aliases = JSON.parse(select.dataset.zoneAliases || "{}");
  const zone = aliases[reported] || reported;
  const untouched = select.value === select.dataset.localZone;
  if (zone && untouched && [...select.options].some((option) => option.value === zone)) {
    select.value = zone;
  }
}
