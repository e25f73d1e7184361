// Package store is the ledger of a perenos workspace: the organisations of a
// region, each site's state in the migration pipeline, the append-only event
// log, the crawl frontier and fetched-page index, stage outputs, the upload
// ID map, and the content-addressed blob folder that holds raw bytes.
//
// Stage records are JSON, kept as a zstd frame from 512 bytes on
// (codec.go); readers get the JSON either way, and a stage may hold its
// results in that stored form until its commit (Record.Encode).
//
// It is the vocabulary every stage shares and imports no stage. A workspace
// is one bbolt file plus a blob folder; bbolt allows one process per file,
// so Open fails fast with ErrLocked (naming the holder) instead of hanging.
package store
