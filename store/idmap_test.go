package store

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestIDMapIsKeptPerPortal(t *testing.T) {
	ws := TestStore(t)
	a, b := PortalID("ref-aaaa"), PortalID("ref-bbbb")
	e := IDEntry{Key: "3801.p.x", Kind: "pages", ObjectID: "7", SourceHash: "h", Status: ItemImported, Created: true}
	if err := ws.PutIDEntries("3801", a, e); err != nil {
		t.Fatal(err)
	}
	onA, _ := ws.IDMap("3801", a)
	onB, _ := ws.IDMap("3801", b)
	if len(onA) != 1 || onA[IDKey("pages", "3801.p.x")].ObjectID != "7" || len(onB) != 0 {
		t.Fatalf("portal a holds %v, portal b %v: an entry written for a must not appear for b", onA, onB)
	}
	if ps, _ := ws.IDMapPortals("3801"); !slices.Equal(ps, []PortalID{a}) {
		t.Errorf("portals %v, want [%s]", ps, a)
	}
	if err := ws.DeleteIDEntry("3801", a, "pages", "3801.p.x"); err != nil {
		t.Fatal(err)
	}
	if onA, _ := ws.IDMap("3801", a); len(onA) != 0 {
		t.Errorf("after delete: %v", onA)
	}
}

func TestAdoptIDMap(t *testing.T) {
	ws := TestStore(t)
	old := []IDEntry{{Key: "k1", Kind: "pages", ObjectID: "1", Status: ItemImported}, {Key: "k2", Kind: "pages", ObjectID: "2", Status: ItemImported}}
	if err := ws.PutIDEntries("3801", LegacyPortal, old...); err != nil {
		t.Fatal(err)
	}
	// An entry the adopting portal already has wins over the legacy one.
	if err := ws.PutIDEntries("3801", "ref-new", IDEntry{Key: "k2", Kind: "pages", ObjectID: "20", Status: ItemImported}); err != nil {
		t.Fatal(err)
	}
	ran := false
	moved, err := ws.AdoptIDMap("3801", LegacyPortal, "ref-new", func(tx Tx) error {
		ran = true
		return tx.PutRecord("upload-target", "3801", "target", []byte(`{"portal":"ref-new"}`))
	})
	if err != nil || moved != 1 || !ran {
		t.Fatalf("moved %d, ran %v, %v", moved, ran, err)
	}
	got, _ := ws.IDMap("3801", "ref-new")
	if len(got) != 2 || got["pages/k2"].ObjectID != "20" || got["pages/k1"].ObjectID != "1" {
		t.Errorf("adopted map %v", got)
	}
	if left, _ := ws.IDMap("3801", LegacyPortal); len(left) != 0 {
		t.Errorf("the legacy map keeps %v", left)
	}
	if _, err := ws.GetRecord("upload-target", "3801", "target"); err != nil {
		t.Errorf("the record written with the adoption: %v", err)
	}
}

func TestParsePortalID(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"ref-0123abcd", true}, {"gosweb.example", true}, {"", false}, {"~before-portal-ids", false}, {"a b", false}, {"a/b", false}, {"портал", false}} {
		if _, err := ParsePortalID(c.in); (err == nil) != c.ok {
			t.Errorf("ParsePortalID(%q): %v", c.in, err)
		}
	}
}

// v2Workspace copies testdata/ledger-v2.db.gz, a ledger written by the
// demo run of perenos at schema version 2 (one ID map per organisation,
// whatever the portal), into a new workspace folder.
func v2Workspace(t *testing.T) string {
	t.Helper()
	f, err := os.Open("testdata/ledger-v2.db.gz")
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

func TestOpenMigratesAVersion2IDMap(t *testing.T) {
	dir := v2Workspace(t)
	// What the version-2 ledger holds, read as version 2 laid it out.
	before := map[string]int{}
	db, err := bolt.Open(filepath.Join(dir, LedgerFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bIDMap).ForEach(func(org, v []byte) error {
			return tx.Bucket(bIDMap).Bucket(org).ForEach(func(k, v []byte) error {
				if v != nil {
					before[string(org)]++
				}
				return nil
			})
		})
	})
	db.Close()
	if len(before) != 4 {
		t.Fatalf("the fixture's ID map covers %d organisations, want the demo's 4", len(before))
	}

	ws, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.MigratedFrom != 2 {
		t.Errorf("MigratedFrom = %d, want 2", ws.MigratedFrom)
	}
	for org, n := range before {
		if ps, _ := ws.IDMapPortals(org); !slices.Equal(ps, []PortalID{LegacyPortal}) {
			t.Errorf("%s: ID maps on %v, want only the legacy one", org, ps)
		}
		m, err := ws.IDMap(org, LegacyPortal)
		if err != nil || len(m) != n {
			t.Fatalf("%s: %d legacy entries, want %d (%v)", org, len(m), n, err)
		}
		for k, e := range m {
			if e.ObjectID == "" || e.Status != ItemImported || !e.Created || IDKey(e.Kind, e.Key) != k {
				t.Errorf("%s %s after migration: %+v (the portal's ID must survive as object_id)", org, k, e)
				break
			}
		}
	}
	// Nothing is left in the version-2 places.
	ws.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bIDMap).ForEach(func(org, v []byte) error {
			return tx.Bucket(bIDMap).Bucket(org).ForEach(func(k, v []byte) error {
				if v != nil {
					t.Errorf("%s: version-2 entry %s left in place", org, k)
				}
				return nil
			})
		})
	})
}
