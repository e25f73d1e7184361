package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGapsWorksheet maps an organisation without a legacy site (a plan
// that is all gaps) and prints its manual-entry worksheet in each format.
func TestGapsWorksheet(t *testing.T) {
	home := t.TempDir()
	reg := filepath.Join(t.TempDir(), "region.csv")
	if err := os.WriteFile(reg, []byte("id,name,type,region,district,legacy_url,portal_site\n"+
		"3801034567,МБДОУ «Детский сад № 12»,preschool,Иркутская область,Ангарский,,ds12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, step := range [][]string{{"orgs", "import", reg}, {"map", "--all"}} {
		if out, stderr, code := perenosCLI(t, home, step...); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", step, code, out, stderr)
		}
	}
	out, stderr, code := perenosCLI(t, home, "gaps", "3801034567")
	if code != ExitOK {
		t.Fatalf("gaps: %d %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 14 || !strings.Contains(out, "Организация питания") || !strings.Contains(out, "1493") || !strings.Contains(out, "/svedeniya-ob-obrazovatelnoy-organizatsii/") {
		t.Fatalf("worksheet of a site that is all gaps:\n%s", out)
	}
	out, _, code = perenosCLI(t, home, "gaps", "3801034567", "--format", "html")
	if code != ExitOK || !strings.Contains(out, "<table>") || !strings.Contains(out, "Детский сад № 12") {
		t.Fatalf("html worksheet: %d\n%s", code, out)
	}
	out, _, code = perenosCLI(t, home, "gaps", "3801034567", "--format", "xlsx")
	if code != ExitOK || !strings.HasPrefix(out, "PK") {
		t.Fatalf("xlsx worksheet is not a zip file: %d %q", code, out[:min(len(out), 20)])
	}
	if _, stderr, code := perenosCLI(t, home, "gaps", "3801034567", "--format", "pdf"); code == ExitOK || !strings.Contains(stderr, "csv, xlsx, html") {
		t.Fatalf("an unknown format must be refused with the choices: %d %s", code, stderr)
	}
	if _, stderr, code := perenosCLI(t, home, "gaps", "999"); code == ExitOK || !strings.Contains(stderr, "999") {
		t.Fatalf("an unknown organisation must be named: %d %s", code, stderr)
	}
}

// TestBenchMap runs the mapping benchmark on the bundled gold set.
func TestBenchMap(t *testing.T) {
	out, stderr, code := perenosCLI(t, t.TempDir(), "bench", "map", "--gold", "../../testdata/gold/mapping", "--json")
	if code != ExitOK {
		t.Fatalf("bench map: %d %s", code, stderr)
	}
	var res struct {
		Pages      int                        `json:"pages"`
		Accuracy   float64                    `json:"accuracy"`
		PerSection map[string]json.RawMessage `json:"per_section"`
		Confusion  []json.RawMessage          `json:"confusion"`
		Flagged    *int                       `json:"flagged"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("bench map output: %v\n%s", err, out)
	}
	if res.Pages < 60 || res.Accuracy <= 0 || len(res.PerSection) == 0 || res.Flagged == nil || res.Confusion == nil {
		t.Fatalf("bench map result: %s", out)
	}
	if _, stderr, code := perenosCLI(t, t.TempDir(), "bench", "map", "--gold", t.TempDir()); code == ExitOK || !strings.Contains(stderr, "sites.tsv") {
		t.Fatalf("a folder without a gold set must be named: %d %s", code, stderr)
	}
}
