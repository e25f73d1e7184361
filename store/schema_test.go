package store

import (
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// v1Workspace copies testdata/ledger-v1.db.gz, a ledger written by the
// demo run of perenos before schema versions were recorded, into a new
// workspace folder.
func v1Workspace(t *testing.T) string {
	t.Helper()
	f, err := os.Open("testdata/ledger-v1.db.gz")
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
