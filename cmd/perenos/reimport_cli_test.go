package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 16 item 9: a re-import that moved a signed site to another
// portal_site did so silently. It warns, holds the row back unless
// --force is given, and the event records a forced move.
func TestReimportDoesNotMoveASignedSiteSilently(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, _, _ := verifiedSite(t)
	const org = "3801012345"
	if _, stderr, code := perenosCLI(t, home, "act", "issue", org, "--tz", "Asia/Irkutsk"); code != ExitOK {
		t.Fatalf("act issue: %s", stderr)
	}
	acts, _ := filepath.Glob(filepath.Join(home, "acts", "*.pdf"))
	irkutsk, _ := time.LoadLocation("Asia/Irkutsk")
	if _, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Иванова И. И.", "--date", time.Now().In(irkutsk).Format("2006-01-02"), "--tz", "Asia/Irkutsk", "--scan", acts[0]); code != ExitOK {
		t.Fatalf("act sign: %s", stderr)
	}
	reg := filepath.Join(t.TempDir(), "region.csv")
	os.WriteFile(reg, []byte("id;name;type;region;district;legacy_url;portal_site\n"+
		"3801012345;МБОУ СОШ № 7;school;Иркутская область;Ангарский;http://sch7.example/;sh7-other\n"+
		"3801099999;МБОУ СОШ № 9;school;Иркутская область;Ангарский;http://sch9.example/;sh9\n"), 0o644)
	out, stderr, code := perenosCLI(t, home, "orgs", "import", reg)
	if code == ExitOK || !strings.Contains(stderr, "--force") || !strings.Contains(stderr, "sh7-other") {
		t.Errorf("a re-import moving a signed site: exit %d\n%s\n%s", code, out, stderr)
	}
	show, _, _ := perenosCLI(t, home, "orgs", "show", org)
	if !strings.Contains(show, "sh7") || strings.Contains(show, "sh7-other") {
		t.Errorf("the signed site was moved without --force:\n%s", show)
	}
	if list, _, _ := perenosCLI(t, home, "orgs", "list"); !strings.Contains(list, "3801099999") {
		t.Errorf("the other rows of the registry must import:\n%s", list)
	}
	out, stderr, code = perenosCLI(t, home, "orgs", "import", reg, "--force")
	if code != ExitOK || !strings.Contains(stderr, "warning") {
		t.Fatalf("--force: exit %d\n%s\n%s", code, out, stderr)
	}
	if show, _, _ := perenosCLI(t, home, "orgs", "show", org); !strings.Contains(show, "sh7-other") {
		t.Errorf("--force did not move the site:\n%s", show)
	}
	if events, _, _ := perenosCLI(t, home, "events", org); !strings.Contains(events, "forced with --force") {
		t.Errorf("the forced move is not in the event log:\n%s", events)
	}
}
