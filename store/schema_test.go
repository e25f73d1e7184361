package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// v1Workspace copies testdata/ledger-v1.db.gz, a ledger written by the
// demo run of perenos before schema versions were recorded, into a new
// workspace folder.
func v1Workspace(t *testing.T) string { return fixtureWorkspace(t, "testdata/ledger-v1.db.gz") }

// fixtureWorkspace copies a gzipped ledger into a new workspace folder.
func fixtureWorkspace(t *testing.T, fixture string) string {
	t.Helper()
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := os.OpenFile(filepath.Join(dir, LedgerFile), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpenMigratesAVersion1Ledger(t *testing.T) {
	dir := v1Workspace(t)
	ws, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.MigratedFrom != 1 {
		t.Errorf("MigratedFrom = %d, want 1", ws.MigratedFrom)
	}
	orgs, err := ws.Orgs()
	if err != nil || len(orgs) != 4 {
		t.Fatalf("orgs after migration: %d, %v", len(orgs), err)
	}
	var excluded, viaSitemap, oldStrings int
	for _, o := range orgs {
		if !o.Stats.Planned || o.Stats.Placed+o.Stats.Gaps == 0 {
			t.Errorf("%s: stats after migration %+v: the demo mapped every site", o.ID, o.Stats)
		}
		err := ws.Pages(o.ID, func(p *Page) error {
			if strings.HasPrefix(p.Error, "excluded:") {
				oldStrings++
			}
			if p.Excluded != nil {
				excluded++
				if p.Excluded.Kind == "" {
					t.Errorf("%s: exclusion without a kind", p.URL)
				}
			}
			for _, r := range p.Referrers {
				if r.Anchor == "sitemap" {
					oldStrings++
				}
				if r.Via == ViaSitemap {
					viaSitemap++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if oldStrings != 0 {
		t.Errorf("%d version-1 strings left after migration", oldStrings)
	}
	if excluded == 0 {
		t.Error("no typed exclusion after migration: the fixture has excluded sitemaps")
	}
	t.Logf("migrated: %d typed exclusions, %d sitemap referrers", excluded, viaSitemap)
	runs := 0
	for _, o := range orgs {
		raw, err := ws.GetRecord("crawlrun", o.ID, "active")
		if err != nil {
			continue
		}
		runs++
		var run struct{ Active *bool }
		if err := json.Unmarshal(raw, &run); err != nil || run.Active == nil {
			t.Errorf("%s: crawl run record after migration %s: not a version-3 record (%v)", o.ID, raw, err)
		}
	}
	if runs == 0 {
		t.Error("the fixture's crawl run records are gone")
	}
	events, err := ws.Events(orgs[0].ID)
	if err != nil || len(events) == 0 {
		t.Fatalf("events after migration: %d, %v", len(events), err)
	}
	ws.Close()

	// Opening again finds the current version and changes nothing.
	ws2, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	if ws2.MigratedFrom != 0 {
		t.Errorf("second open: MigratedFrom = %d, want 0", ws2.MigratedFrom)
	}
}

func TestOpenRefusesANewerLedger(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ws.MigratedFrom != 0 {
		t.Errorf("a new ledger reports a migration from %d", ws.MigratedFrom)
	}
	ws.Close()
	db, err := bolt.Open(filepath.Join(dir, LedgerFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(context.Background(), dir, Options{})
	var se *SchemaError
	if !errors.As(err, &se) || !errors.Is(err, ErrNewerLedger) {
		t.Fatalf("open of a newer ledger: %v, want a *SchemaError", err)
	}
	if !strings.Contains(err.Error(), "newer") || !strings.Contains(err.Error(), LedgerFile) {
		t.Errorf("message %q should name the file and say what to do", err)
	}
}

func TestV1Exclusion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Exclusion
	}{
		{"robots.txt disallows this URL", Exclusion{Kind: ExcludedRobots}},
		{"guard max-depth", Exclusion{Kind: ExcludedGuard, Detail: "max-depth"}},
		{"no sitemap", Exclusion{Kind: ExcludedNoSitemap}},
		{"not a sitemap (XML syntax error on line 1)", Exclusion{Kind: ExcludedNotSitemap, Detail: "XML syntax error on line 1"}},
	} {
		if got := *v1Exclusion(c.in); got != c.want {
			t.Errorf("v1Exclusion(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// TestOpenMigratesVersion2CrawlRecords writes a version-2 ledger by hand
// (an interrupted crawl's bare-bool run record, a diff with capped URL
// lists) and opens it: the run record names its seed and the registry's
// aliases, and every listed URL is a crawlchange record.
func TestOpenMigratesVersion2CrawlRecords(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.UpsertOrg("test", Org{ID: "1", Name: "Школа", Type: School, LegacyURL: "http://old.school.test/", PortalSite: "s1",
		Settings: map[string]string{"aliases": "WWW2.school.test, http://alt.school.test/"}}); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	db, err := bolt.Open(filepath.Join(dir, LedgerFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		put := func(kind, org, key, val string) error {
			b, err := docBucket(tx, kind, org)
			if err != nil {
				return err
			}
			return b.Put([]byte(key), []byte(val))
		}
		if err := put("crawlrun", "1", "active", "true"); err != nil {
			return err
		}
		if err := put("crawldiff", "1", "last", `{"new":2,"changed":1,"unchanged":5,"disappeared":1,"new_urls":["http://old.school.test/n1","http://old.school.test/n2"],"changed_urls":["http://old.school.test/c"],"gone_urls":["http://old.school.test/g"]}`); err != nil {
			return err
		}
		pages, err := tx.Bucket(bPages).CreateBucketIfNotExists([]byte("1"))
		if err != nil {
			return err
		}
		if err := pages.Put([]byte("http://old.school.test/a"), []byte(`{"url":"http://old.school.test/a","kind":"page","depth":1}`)); err != nil {
			return err
		}
		if err := pages.Put([]byte("http://old.school.test/"), []byte(`{"url":"http://old.school.test/","kind":"page","depth":0}`)); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, 2))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	ws, err = Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.MigratedFrom != 2 {
		t.Errorf("MigratedFrom = %d, want 2", ws.MigratedFrom)
	}
	raw, err := ws.GetRecord("crawlrun", "1", "active")
	if err != nil {
		t.Fatal(err)
	}
	var run struct {
		Active  bool
		Seed    string
		Aliases []string
	}
	if err := json.Unmarshal(raw, &run); err != nil || !run.Active || run.Seed != "http://old.school.test/" ||
		!slices.Equal(run.Aliases, []string{"alt.school.test", "www2.school.test"}) {
		t.Errorf("run record after migration: %s (%+v, %v)", raw, run, err)
	}
	changes := map[string]string{}
	ws.EachRecord("crawlchange", "1", func(key string, raw []byte) error {
		var c struct{ Change string }
		json.Unmarshal(raw, &c)
		changes[key] = c.Change
		return nil
	})
	want := map[string]string{"http://old.school.test/n1": "new", "http://old.school.test/n2": "new", "http://old.school.test/c": "changed", "http://old.school.test/g": "gone"}
	if !maps.Equal(changes, want) {
		t.Errorf("changes after migration %v, want %v", changes, want)
	}
	raw, _ = ws.GetRecord("crawldiff", "1", "last")
	if strings.Contains(string(raw), "_urls") || !strings.Contains(string(raw), `"new":2`) {
		t.Errorf("diff after migration: %s", raw)
	}
}

// TestOpenMigratesAVersion4Ledger opens testdata/ledger-v4.db.gz, the
// ledger of a demo run (crawl to signed acts) by the perenos before stage
// records were compressed: it migrates to the current version without
// rewriting a record, every record reads as the JSON that was stored, and
// a record written afterwards is compressed.
func TestOpenMigratesAVersion4Ledger(t *testing.T) {
	dir := fixtureWorkspace(t, "testdata/ledger-v4.db.gz")
	before := map[string][]byte{} // kind/org/key: the stored bytes
	db, err := bolt.Open(filepath.Join(dir, LedgerFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(tx *bolt.Tx) error {
		if v := schemaVersion(tx); v != 4 {
			t.Fatalf("the fixture has schema version %d, want 4", v)
		}
		docs := tx.Bucket(bDocs)
		for _, kind := range subBuckets(docs) {
			for _, org := range subBuckets(docs.Bucket(kind)) {
				docs.Bucket(kind).Bucket(org).ForEach(func(k, v []byte) error {
					before[string(kind)+"/"+string(org)+"/"+string(k)] = bytes.Clone(v)
					return nil
				})
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	large := 0
	for path, v := range before {
		if compressed(v) {
			t.Fatalf("%s: the version-4 fixture holds a compressed record", path)
		}
		if len(v) >= compressMin {
			large++
		}
	}
	if large < 50 {
		t.Fatalf("the fixture has %d records of %d bytes or more: not a test of reading them", large, compressMin)
	}

	ws, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.MigratedFrom != 4 {
		t.Errorf("MigratedFrom = %d, want 4", ws.MigratedFrom)
	}
	for path, v := range before {
		kind, rest, _ := strings.Cut(path, "/")
		org, key, _ := strings.Cut(rest, "/")
		got, err := ws.GetRecord(kind, org, key)
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("%s after migration: %.60q (%v), want the stored JSON", path, got, err)
		}
		if stored := storedBytes(t, ws, kind, org, key); !bytes.Equal(stored, v) {
			t.Fatalf("%s was rewritten by the migration", path)
		}
	}
	t.Logf("%d records read as stored, %d of them of %d bytes or more", len(before), large, compressMin)

	// A record written now is compressed and reads as written.
	var kind, org, key string
	for path, v := range before {
		if len(v) >= 4<<10 {
			kind, _, _ = strings.Cut(path, "/")
			org, key, _ = strings.Cut(path[len(kind)+1:], "/")
			break
		}
	}
	raw := before[kind+"/"+org+"/"+key]
	if err := ws.Update(func(tx Tx) error { return tx.PutRecord(kind, org, key, raw) }); err != nil {
		t.Fatal(err)
	}
	if stored := storedBytes(t, ws, kind, org, key); !compressed(stored) || len(stored) >= len(raw) {
		t.Errorf("%s/%s/%s written again: %d bytes, compressed %v; the JSON is %d", kind, org, key, len(stored), compressed(stored), len(raw))
	}
	if got, err := ws.GetRecord(kind, org, key); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("%s/%s/%s written again reads %v", kind, org, key, err)
	}
	ws.Close()
	ws2, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	if ws2.MigratedFrom != 0 {
		t.Errorf("second open: MigratedFrom = %d, want 0", ws2.MigratedFrom)
	}
}
