package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Issue 17: the region's time zone is a workspace setting, set by hand or
// taken from a roadmap, and acts and reports use it; --tz overrides it.
func TestRegionTimeZoneSetting(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, _, _ := verifiedSite(t)
	const org = "3801012345"
	if out, _, code := perenosCLI(t, home, "config"); code != ExitOK || !strings.Contains(out, "not set") {
		t.Fatalf("config on a new workspace: %d %s", code, out)
	}
	if _, stderr, code := perenosCLI(t, home, "config", "tz", "Asia/Nowhere"); code == ExitOK || !strings.Contains(stderr, "IANA") {
		t.Errorf("an unknown zone: %d %s", code, stderr)
	}
	if _, stderr, code := perenosCLI(t, home, "config", "tz"); code == ExitOK || !strings.Contains(stderr, "--from-roadmap") {
		t.Errorf("config tz without a zone: %d %s", code, stderr)
	}
	if out, stderr, code := perenosCLI(t, home, "config", "tz", "--from-roadmap", "irkutsk-460rp"); code != ExitOK || !strings.Contains(out, "Asia/Irkutsk") {
		t.Fatalf("config tz --from-roadmap: %d %s %s", code, out, stderr)
	}
	if out, _, _ := perenosCLI(t, home, "config"); !strings.Contains(out, "Asia/Irkutsk (from roadmap irkutsk-460rp") {
		t.Errorf("config after --from-roadmap: %s", out)
	}
	if out, stderr, code := perenosCLI(t, home, "config", "tz", "Asia/Vladivostok"); code != ExitOK || !strings.Contains(out, "Asia/Vladivostok (from operator)") {
		t.Fatalf("config tz: %d %s %s", code, out, stderr)
	}
	_, stderr, code := perenosCLI(t, home, "act", "issue", org)
	if code != ExitOK || strings.Contains(stderr, "no region time zone") {
		t.Fatalf("act issue with the workspace's zone: %d %s", code, stderr)
	}
	out, _, _ := perenosCLI(t, home, "act", "show", org, "--json")
	var acts []struct{ Zone string }
	if err := json.Unmarshal([]byte(out), &acts); err != nil || len(acts) != 1 || acts[0].Zone != "Asia/Vladivostok" {
		t.Errorf("the act's recorded zone: %s (%v)", out, err)
	}
	zone := func(args ...string) string {
		out, stderr, code := perenosCLI(t, home, append([]string{"report", "--format", "json"}, args...)...)
		var r struct{ Zone string }
		if code != ExitOK || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("report %v: %d %s", args, code, stderr)
		}
		return r.Zone
	}
	if z := zone("--roadmap", "irkutsk-460rp"); z != "Asia/Vladivostok" {
		t.Errorf("the report's zone with the workspace's set: %s", z)
	}
	if z := zone("--tz", "Europe/Moscow"); z != "Europe/Moscow" {
		t.Errorf("the report's zone with --tz: %s", z)
	}
}

// Without a region zone, acts say so and use the machine's zone.
func TestActIssueWarnsWithoutARegionZone(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, _, _ := verifiedSite(t)
	if _, stderr, code := perenosCLI(t, home, "act", "issue", "3801012345"); code != ExitOK || !strings.Contains(stderr, "perenos config tz") {
		t.Errorf("act issue without a zone: %d %s", code, stderr)
	}
}
