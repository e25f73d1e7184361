// Package report keeps the books the regional programmes are judged by:
// the completion act of each migrated site («Акт о завершении миграции
// контента», as PDF and HTML, numbered per region, versioned, signed
// once), and the coordinator report that counts organisations by type,
// state and district from the event log, as of any date, and compares the
// counts with a regional roadmap's milestones.
//
// Everything is computed from the ledger: acts from the site's plan and
// its event log, reports by replaying the event log up to the report's
// date, so that "how many schools were migrated by 15 November" has one
// answer whenever it is asked.
package report
