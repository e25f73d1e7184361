package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"perenos/demo"
	"perenos/portal/server"
	"perenos/store"
)

// TestDemoRegionToTwoPortalsThenARollback uploads the demo region to a
// first portal, then to a second, empty one (a staging portal, or one
// rebuilt from backup), and verifies both clean; then rolls one site back
// and checks its act, the report and the redirect map. Before, the second
// upload sent nothing, said it succeeded and moved the sites on.
func TestDemoRegionToTwoPortalsThenARollback(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home := t.TempDir()
	dir := t.TempDir()
	var rows []string
	var sites []string
	for _, s := range demo.Region {
		o := s.Org
		if s.Dir != "" {
			o.LegacyURL = serveDemoSite(t, s.Dir)
		}
		rows = append(rows, strings.Join([]string{o.ID, o.Name, string(o.Type), o.Region, o.District, o.LegacyURL, o.PortalSite}, ";"))
		sites = append(sites, o.PortalSite)
	}
	reg := filepath.Join(dir, "region.csv")
	os.WriteFile(reg, []byte("id;name;type;region;district;legacy_url;portal_site\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	first, firstSrv := server.TestServer(t, server.Config{}, sites...)
	second, secondSrv := server.TestServer(t, server.Config{}, sites...)
	tokens := filepath.Join(dir, "tokens.csv")
	var tok strings.Builder
	tok.WriteString("portal_site,token\n")
	for _, s := range sites {
		tok.WriteString(s + "," + server.TestToken(s) + "\n")
	}
	os.WriteFile(tokens, []byte(tok.String()), 0o600)

	run := func(args ...string) string {
		t.Helper()
		out, stderr, code := perenosCLI(t, home, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, stderr)
		}
		return out
	}
	run("orgs", "import", reg)
	run("run", "--all", "--allow-private", "--delay", "1ms")
	run("approve", "--all", "--reason", "проверено", "--with-gaps")
	run("upload", "--all", "--portal", first.URL, "--tokens", tokens)
	run("verify", "--all", "--portal", first.URL, "--tokens", tokens)

	// The second portal is empty: everything goes there too, and the
	// sites' state follows their target portal, the first.
	out := run("upload", "--all", "--portal", second.URL, "--tokens", tokens)
	if strings.Contains(out, "nothing new") {
		t.Fatalf("the upload to an empty second portal sent nothing:\n%s", out)
	}
	run("verify", "--all", "--portal", second.URL, "--tokens", tokens)
	for _, s := range sites {
		o1, f1, _, _ := firstSrv.Counts(s)
		o2, f2, _, _ := secondSrv.Counts(s)
		if o1 == 0 || o1 != o2 || f1 != f2 {
			t.Errorf("portal site %s: %d objects and %d files on the first portal, %d and %d on the second", s, o1, f1, o2, f2)
		}
	}
	ws, err := store.Open(t.Context(), home, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range demo.Region {
		if o, _ := ws.Org(s.Org.ID); o.State != store.Verified {
			t.Errorf("%s: %s after the uploads, want verified", o.ID, o.State)
		}
	}
	ws.Close()

	run("act", "issue", "--all", "--tz", "Asia/Irkutsk")
	migrated, acts := reportCounts(t, home)
	if migrated != len(demo.Region) || acts != len(demo.Region) {
		t.Fatalf("report before the rollback: %d migrated, %d acts", migrated, acts)
	}
	school := demo.Region[0].Org.ID
	if m := run("redirects", school, "--format", "nginx"); !strings.Contains(m, "301") {
		t.Fatalf("redirect map before the rollback:\n%s", m)
	}

	// Roll the school back on its target portal.
	run("rollback", school, "--portal", first.URL, "--tokens", tokens)
	if o, _, _, _ := firstSrv.Counts(demo.Region[0].Org.PortalSite); o != 0 {
		t.Errorf("%d objects of the school left on the first portal after its rollback", o)
	}
	if o, _, _, _ := secondSrv.Counts(demo.Region[0].Org.PortalSite); o == 0 {
		t.Errorf("the rollback on the first portal removed the school from the second")
	}
	if show := run("act", "show", school); !strings.Contains(show, "аннулирован") {
		t.Errorf("the school's act after the rollback:\n%s", show)
	}
	if m, a := reportCounts(t, home); m != len(demo.Region)-1 || a != len(demo.Region)-1 {
		t.Errorf("report after the rollback: %d migrated, %d acts; want %d", m, a, len(demo.Region)-1)
	}
	// The school is no longer on its portal: it has no redirect map until
	// it is uploaded again; another site's still stands.
	if out, stderr, code := perenosCLI(t, home, "redirects", school); code == ExitOK {
		t.Errorf("a redirect map for a rolled-back site:\n%s", out)
	} else if !strings.Contains(stderr, "upload") {
		t.Errorf("the refusal does not say what to do: %s", stderr)
	}
	hospital := demo.Region[1].Org.ID
	csv := run("redirects", hospital)
	if n := strings.Count(csv, "\n"); n < 5 {
		t.Errorf("the hospital's redirect map has %d lines:\n%s", n, csv)
	}
}

// After the domain switch, redirects check asks each old address for its
// answer: an old domain that redirects as the map says passes; one old
// address answered 404 is listed and fails the command.
func TestRedirectsCheckFollowsEveryOldAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, _, _ := verifiedSite(t)
	const org = "3801012345"
	out, stderr, code := perenosCLI(t, home, "redirects", org)
	if code != ExitOK {
		t.Fatalf("redirects: %d %s", code, stderr)
	}
	moves := map[string]string{}
	var broken string
	for i, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Split(line, ",")
		u, err := url.Parse(f[0])
		if err != nil || len(f) < 2 {
			t.Fatalf("redirect line %q", line)
		}
		moves[u.RequestURI()] = f[1]
		if i == 3 {
			broken = u.RequestURI()
		}
	}
	// The old domain after the switch: the nginx in front of the portal,
	// here a server answering the map (and one address forgotten).
	forget := false
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to, ok := moves[r.URL.RequestURI()]
		if !ok || forget && r.URL.RequestURI() == broken {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
	}))
	defer old.Close()
	via := strings.TrimPrefix(old.URL, "http://")
	out, stderr, code = perenosCLI(t, home, "redirects", "check", org, "--via", via, "--allow-private")
	if code != ExitOK || !strings.Contains(out, "0 do not") {
		t.Fatalf("redirects check: %d\n%s\n%s", code, out, stderr)
	}
	forget = true
	out, stderr, code = perenosCLI(t, home, "redirects", "check", org, "--via", via, "--allow-private")
	if code != ExitPartial || !strings.Contains(out, "FAIL") || !strings.Contains(out, "404") {
		t.Fatalf("redirects check with a forgotten address: %d\n%s\n%s", code, out, stderr)
	}
	// Without --allow-private the check never connects to loopback.
	if _, stderr, code := perenosCLI(t, home, "redirects", "check", org, "--via", via); code == ExitOK {
		t.Fatalf("the check reached a loopback address without --allow-private: %s", stderr)
	}
}
