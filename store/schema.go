package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout of the ledger this code writes. A ledger
// with no version is version 1, the layout before versions were recorded.
//
//	1  pages say "excluded: …" in Error; sitemap links carry the anchor "sitemap"
//	2  exclusions are typed (Page.Excluded); how a link was found is Ref.Via;
//	   an organisation's stats say Planned once it has a plan
//	3  a crawl's run record names its seed and aliases (was a bare bool);
//	   a re-crawl's new/changed/gone URLs are one record each (crawlchange),
//	   not capped lists inside the diff
//	4  the upload ID map is kept per portal (idmap/{org}/{portal}/…); the
//	   portal's object ID is IDEntry.ObjectID ("object_id", was "portal_id")
//	5  a stage record (docs/{kind}/{org}/…) of 512 bytes or more may be a
//	   zstd frame of its JSON (codec.go); a perenos that reads version 4
//	   would take the frame for damaged JSON, so it must refuse the ledger
const SchemaVersion = 5

var keySchema = []byte("schema_version")

// ErrNewerLedger says the ledger was written by a newer perenos.
var ErrNewerLedger = errors.New("the ledger was written by a newer perenos")

// SchemaError is a ledger this code cannot open as it is.
type SchemaError struct {
	File    string
	Version uint64
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("ledger %s has schema version %d; this perenos reads versions up to %d: use the perenos that wrote it, or a newer one", e.File, e.Version, SchemaVersion)
}

func (e *SchemaError) Unwrap() error { return ErrNewerLedger }

// migrations[v] moves a ledger from version v to v+1, inside the one
// transaction that also records the new version.
var migrations = map[uint64]func(tx *bolt.Tx) error{
	1: migrateTypedExclusions,
	2: migrateCrawlRecords,
	3: migrateIDMapPerPortal,
	4: keepUncompressedRecords,
}

// schemaVersion reads the recorded version (1 when none is recorded).
func schemaVersion(tx *bolt.Tx) uint64 {
	meta := tx.Bucket(bMeta)
	if meta == nil {
		return 1
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return 1
	}
	return binary.BigEndian.Uint64(v)
}

// migrate brings an older ledger up to SchemaVersion and refuses a newer
// one. A new, empty ledger is simply stamped. It reports the version found.
func migrate(db *bolt.DB, file string) (uint64, error) {
	var found uint64
	err := db.Update(func(tx *bolt.Tx) error {
		fresh := tx.Bucket(bOrgs) == nil
		for _, b := range [][]byte{bOrgs, bEvents, bEvIndex, bPages, bFrontier, bPrev, bIDMap, bDocs, bMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		found = schemaVersion(tx)
		if fresh {
			found = SchemaVersion
		}
		if found > SchemaVersion {
			return &SchemaError{File: file, Version: found}
		}
		for v := found; v < SchemaVersion; v++ {
			m := migrations[v]
			if m == nil {
				return fmt.Errorf("ledger %s: no migration from schema version %d", file, v)
			}
			if err := m(tx); err != nil {
				return fmt.Errorf("ledger %s: migrate schema %d to %d: %w", file, v, v+1, err)
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion))
	})
	return found, err
}

// migrateTypedExclusions turns version 1's string protocols into types:
// a page whose Error starts with "excluded: " gets Excluded instead, and a
// referrer whose anchor is "sitemap" becomes Via sitemap.
func migrateTypedExclusions(tx *bolt.Tx) error {
	if err := markPlanned(tx); err != nil {
		return err
	}
	for _, top := range [][]byte{bPages, bPrev, bFrontier} {
		orgs := tx.Bucket(top)
		var names [][]byte
		if err := orgs.ForEach(func(k, v []byte) error {
			if v == nil {
				names = append(names, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, name := range names {
			b := orgs.Bucket(name)
			type kv struct{ k, v []byte }
			var changed []kv
			err := b.ForEach(func(k, v []byte) error {
				nv, ok, err := upgradeV1(top, v)
				if err != nil {
					return fmt.Errorf("%s %s: %w", top, k, err)
				}
				if ok {
					changed = append(changed, kv{append([]byte(nil), k...), nv})
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, c := range changed {
				if err := b.Put(c.k, c.v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// markPlanned sets Stats.Planned on organisations whose version-1 stats
// map had the plan's counts (the review UI told mapped sites by them).
func markPlanned(tx *bolt.Tx) error {
	b := tx.Bucket(bOrgs)
	type kv struct{ k, v []byte }
	var changed []kv
	err := b.ForEach(func(k, v []byte) error {
		var raw struct {
			Stats map[string]int64 `json:"stats"`
		}
		if err := json.Unmarshal(v, &raw); err != nil {
			return fmt.Errorf("organisation %s: %w", k, err)
		}
		if _, ok := raw.Stats["placed"]; !ok {
			return nil
		}
		var o Org
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("organisation %s: %w", k, err)
		}
		o.Stats.Planned = true
		nv, err := json.Marshal(o)
		if err != nil {
			return err
		}
		changed = append(changed, kv{append([]byte(nil), k...), nv})
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changed {
		if err := b.Put(c.k, c.v); err != nil {
			return err
		}
	}
	return nil
}

// upgradeV1 rewrites one version-1 page or frontier entry; ok is false
// when nothing in it changes.
func upgradeV1(top []byte, v []byte) ([]byte, bool, error) {
	via := func(r *Ref) bool {
		if r.Anchor == "sitemap" && r.Via == ViaLink {
			r.Anchor, r.Via = "", ViaSitemap
			return true
		}
		return false
	}
	if string(top) == string(bFrontier) {
		var p Pending
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, false, err
		}
		if !via(&p.Ref) {
			return nil, false, nil
		}
		out, err := json.Marshal(p)
		return out, true, err
	}
	var p Page
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, false, err
	}
	changed := false
	if rest, ok := strings.CutPrefix(p.Error, "excluded: "); ok {
		p.Error, p.Excluded, changed = "", v1Exclusion(rest), true
	}
	for i := range p.Referrers {
		changed = via(&p.Referrers[i]) || changed
	}
	if !changed {
		return nil, false, nil
	}
	out, err := json.Marshal(p)
	return out, true, err
}

// v1Exclusion reads the text version 1 wrote after "excluded: ".
func v1Exclusion(s string) *Exclusion {
	switch {
	case strings.HasPrefix(s, "robots.txt"):
		return &Exclusion{Kind: ExcludedRobots}
	case strings.HasPrefix(s, "guard "):
		return &Exclusion{Kind: ExcludedGuard, Detail: strings.TrimPrefix(s, "guard ")}
	case s == "no sitemap":
		return &Exclusion{Kind: ExcludedNoSitemap}
	case strings.HasPrefix(s, "not a sitemap"):
		d := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "not a sitemap"), " ("), ")")
		return &Exclusion{Kind: ExcludedNotSitemap, Detail: d}
	}
	return &Exclusion{Kind: ExcludedGuard, Detail: s}
}

// The crawl stage's record kinds that migration 2→3 rewrites (the crawler
// declares them; their layout is what the ledger's schema version covers).
const (
	kindCrawlRun    = "crawlrun"
	kindCrawlDiff   = "crawldiff"
	kindCrawlChange = "crawlchange"
)

// migrateCrawlRecords turns version 2's crawl records into version 3's: a
// run record that was a bare bool gets the seed its crawl started from
// (the depth-0 page of its pages or frontier) and the aliases the registry
// gives now; a diff's URL lists (capped at 500 in version 2) become one
// crawlchange record per URL.
func migrateCrawlRecords(tx *bolt.Tx) error {
	docs := tx.Bucket(bDocs)
	if runs := docs.Bucket([]byte(kindCrawlRun)); runs != nil {
		for _, org := range subBuckets(runs) {
			b := runs.Bucket(org)
			v := b.Get([]byte("active"))
			var active bool
			if v == nil || json.Unmarshal(v, &active) != nil {
				continue // not a version-2 bool
			}
			rec := struct {
				Active  bool     `json:"active"`
				Seed    string   `json:"seed,omitempty"`
				Aliases []string `json:"aliases,omitempty"`
			}{Active: active, Seed: seedOf(tx, org)}
			if o, err := loadOrg(tx, string(org)); err == nil {
				rec.Aliases = v2Aliases(o.Settings["aliases"])
			}
			nv, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			if err := b.Put([]byte("active"), nv); err != nil {
				return err
			}
		}
	}
	diffs := docs.Bucket([]byte(kindCrawlDiff))
	if diffs == nil {
		return nil
	}
	for _, org := range subBuckets(diffs) {
		b := diffs.Bucket(org)
		v := b.Get([]byte("last"))
		if v == nil {
			continue
		}
		var d map[string]json.RawMessage
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("crawl diff of %s: %w", org, err)
		}
		changes, err := docBucket(tx, kindCrawlChange, string(org))
		if err != nil {
			return err
		}
		for field, kind := range map[string]string{"new_urls": "new", "changed_urls": "changed", "gone_urls": "gone"} {
			var urls []string
			if raw, ok := d[field]; ok {
				if err := json.Unmarshal(raw, &urls); err != nil {
					return fmt.Errorf("crawl diff of %s, %s: %w", org, field, err)
				}
			}
			for _, u := range urls {
				if err := changes.Put([]byte(u), []byte(`{"change":"`+kind+`"}`)); err != nil {
					return err
				}
			}
			delete(d, field)
		}
		nv, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := b.Put([]byte("last"), nv); err != nil {
			return err
		}
	}
	return nil
}

// subBuckets lists the names of b's nested buckets.
func subBuckets(b *bolt.Bucket) [][]byte {
	var out [][]byte
	b.ForEach(func(k, v []byte) error {
		if v == nil {
			out = append(out, append([]byte(nil), k...))
		}
		return nil
	})
	return out
}

// seedOf finds the address org's crawl started from: its depth-0 page.
func seedOf(tx *bolt.Tx, org []byte) string {
	for _, top := range [][]byte{bPages, bFrontier} {
		b := tx.Bucket(top).Bucket(org)
		if b == nil {
			continue
		}
		var seed string
		b.ForEach(func(k, v []byte) error {
			var p struct {
				Depth int      `json:"depth"`
				Kind  PageKind `json:"kind"`
			}
			if seed == "" && json.Unmarshal(v, &p) == nil && p.Depth == 0 && p.Kind == KindPage {
				seed = string(k)
			}
			return nil
		})
		if seed != "" {
			return seed
		}
	}
	return ""
}

// v2Aliases splits a registry aliases column as the crawler does, lower-case and sorted.
func v2Aliases(v string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '|' || r == ';' }) {
		if _, rest, ok := strings.Cut(a, "://"); ok {
			a, _, _ = strings.Cut(rest, "/")
		}
		if a = strings.ToLower(a); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// migrateIDMapPerPortal moves each organisation's version-2 ID map, which
// did not say which portal it described, under LegacyPortal, renaming the
// portal's object ID from "portal_id" to "object_id". The site's next
// upload, verify or rollback adopts the entries for the portal it reaches.
func migrateIDMapPerPortal(tx *bolt.Tx) error {
	top := tx.Bucket(bIDMap)
	var orgs [][]byte
	if err := top.ForEach(func(k, v []byte) error {
		if v == nil {
			orgs = append(orgs, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, org := range orgs {
		ob := top.Bucket(org)
		type kv struct{ k, v []byte }
		var flat []kv
		if err := ob.ForEach(func(k, v []byte) error {
			if v != nil {
				flat = append(flat, kv{append([]byte(nil), k...), append([]byte(nil), v...)})
			}
			return nil
		}); err != nil {
			return err
		}
		if len(flat) == 0 {
			continue
		}
		legacy, err := ob.CreateBucketIfNotExists([]byte(LegacyPortal))
		if err != nil {
			return err
		}
		for _, e := range flat {
			var old struct {
				IDEntry
				PortalID string `json:"portal_id"`
			}
			if err := json.Unmarshal(e.v, &old); err != nil {
				return fmt.Errorf("id map %s/%s: %w", org, e.k, err)
			}
			ne := old.IDEntry
			if ne.ObjectID == "" {
				ne.ObjectID = old.PortalID
			}
			data, err := json.Marshal(ne)
			if err != nil {
				return err
			}
			if err := legacy.Put(e.k, data); err != nil {
				return err
			}
			if err := ob.Delete(e.k); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepUncompressedRecords moves a ledger from version 4 to 5 without
// rewriting a record: version 5 reads a version-4 record, plain JSON, as it
// is, and compresses each record when its stage next writes it. Compressing
// them here would make the migration one transaction as large as all the
// documents and plans (gigabytes in a whole region's ledger) and leave the
// file no smaller, since bbolt keeps the pages it frees for reuse.
func keepUncompressedRecords(*bolt.Tx) error { return nil }
