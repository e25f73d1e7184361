package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"perenos/portal/server"
	"strings"
	"testing"
	"time"
)

// verifiedSite takes the demo school through every stage up to verified
// with the commands an operator types; it returns the workspace, the
// portal's address and the tokens file.
func verifiedSite(t *testing.T) (home, portalURL, tokens string) {
	t.Helper()
	home = t.TempDir()
	site := serveDemoSite(t, "school")
	dir := t.TempDir()
	reg := filepath.Join(dir, "region.csv")
	os.WriteFile(reg, []byte("id;name;type;region;district;legacy_url;portal_site\n"+
		"3801012345;МБОУ СОШ № 7;school;Иркутская область;Ангарский;"+site+";sh7\n"), 0o644)
	hs, _ := server.TestServer(t, server.Config{}, "sh7")
	tokens = filepath.Join(dir, "tokens.csv")
	os.WriteFile(tokens, []byte("portal_site,token\nsh7,"+server.TestToken("sh7")+"\n"), 0o600)
	for _, step := range [][]string{
		{"orgs", "import", reg},
		{"run", "--all", "--allow-private", "--delay", "1ms"},
		{"approve", "--all", "--reason", "проверено по телефону", "--with-gaps"},
		{"upload", "--all", "--portal", hs.URL, "--tokens", tokens},
		{"verify", "--all", "--portal", hs.URL, "--tokens", tokens},
	} {
		if out, stderr, code := perenosCLI(t, home, step...); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", step, code, out, stderr)
		}
	}
	return home, hs.URL, tokens
}

// reportCounts reads the coordinator report's totals.
func reportCounts(t *testing.T, home string) (migrated, actIssued int) {
	t.Helper()
	out, stderr, code := perenosCLI(t, home, "report", "--format", "json")
	if code != ExitOK {
		t.Fatalf("report: %d %s", code, stderr)
	}
	var r struct {
		All struct {
			Migrated  int `json:"migrated"`
			ActIssued int `json:"act_issued"`
		} `json:"all"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --format json: %v\n%s", err, out)
	}
	return r.All.Migrated, r.All.ActIssued
}

// Issue 16 item 3: after the rollback of an act-issued site the act was
// still "current, not signed" and the report counted the site as migrated
// and act-issued. The rollback voids the act, and the report stops
// counting the site; a rollback of a signed act is refused.
func TestRollbackVoidsTheActAndTheReportStopsCounting(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, portalURL, tokens := verifiedSite(t)
	const org = "3801012345"
	if out, stderr, code := perenosCLI(t, home, "act", "issue", org, "--tz", "Asia/Irkutsk"); code != ExitOK || !strings.Contains(out, "38-0001") {
		t.Fatalf("act issue: %d %s %s", code, out, stderr)
	}
	if m, a := reportCounts(t, home); m != 1 || a != 1 {
		t.Fatalf("before the rollback: %d migrated, %d with an act", m, a)
	}
	if out, stderr, code := perenosCLI(t, home, "rollback", org, "--portal", portalURL, "--tokens", tokens); code != ExitOK {
		t.Fatalf("rollback: %d %s %s", code, out, stderr)
	}
	out, _, _ := perenosCLI(t, home, "act", "show", org)
	if !strings.Contains(out, "аннулирован") || strings.Contains(out, "не подписан") {
		t.Errorf("act show after the rollback:\n%s", out)
	}
	if m, a := reportCounts(t, home); m != 0 || a != 0 {
		t.Errorf("after the rollback the report counts %d migrated, %d with an act; want 0 and 0", m, a)
	}
	events, _, _ := perenosCLI(t, home, "events", org)
	if !strings.Contains(events, "voided") {
		t.Errorf("the event log does not record the voided act:\n%s", events)
	}
	// Migrated again: a new act, under a new number.
	for _, step := range [][]string{
		{"upload", org, "--portal", portalURL, "--tokens", tokens},
		{"verify", org, "--portal", portalURL, "--tokens", tokens},
	} {
		if out, stderr, code := perenosCLI(t, home, step...); code != ExitOK {
			t.Fatalf("%v: %d %s %s", step, code, out, stderr)
		}
	}
	out, stderr, code := perenosCLI(t, home, "act", "issue", org, "--tz", "Asia/Irkutsk")
	if code != ExitOK || !strings.Contains(out, "38-0002") {
		t.Errorf("the act after the voided one must have a new number: %d %s %s", code, out, stderr)
	}
	acts, _ := filepath.Glob(filepath.Join(home, "acts", "*.pdf"))
	irkutsk, _ := time.LoadLocation("Asia/Irkutsk")
	if _, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Иванова И. И.", "--date", time.Now().In(irkutsk).Format("2006-01-02"), "--scan", acts[0]); code != ExitOK {
		t.Fatalf("act sign: %d %s", code, stderr)
	}
	if _, stderr, code := perenosCLI(t, home, "rollback", org, "--portal", portalURL, "--tokens", tokens); code == ExitOK || !strings.Contains(stderr, "signed") {
		t.Errorf("a rollback of a signed act must be refused with a non-zero exit: %d %s", code, stderr)
	}
}

// Issue 16 item 4: act sign took a 10-byte text file as the signed scan,
// refused every correction afterwards, and rejected the date printed on
// the act unless --tz was given again.
func TestActSignChecksTheScanReadsTheActsDateAndCanBeCorrected(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, _, _ := verifiedSite(t)
	const org = "3801012345"
	// The act's zone is one whose date today is not the machine's: UTC+14
	// is a day ahead of the machine for part of the day, UTC−12 a day
	// behind for the rest (time.Local is not changed: servers of this test
	// still read it).
	zoneName := ""
	var kiritimati *time.Location
	for _, z := range []string{"Pacific/Kiritimati", "Etc/GMT+12"} {
		l, err := time.LoadLocation(z)
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().In(l).Format("2006-01-02") != time.Now().Format("2006-01-02") {
			zoneName, kiritimati = z, l
			break
		}
	}
	if zoneName == "" {
		t.Skip("no zone here has another date than the machine's right now")
	}
	if out, stderr, code := perenosCLI(t, home, "act", "issue", org, "--tz", zoneName); code != ExitOK {
		t.Fatalf("act issue: %d %s %s", code, out, stderr)
	}
	printed := time.Now().In(kiritimati).Format("2006-01-02") // the date on the act
	dir := t.TempDir()
	text := filepath.Join(dir, "scan.txt")
	os.WriteFile(text, []byte("signed ok\n"), 0o644)
	// (--tz, which the old code needed, so that only the scan is in question)
	_, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Иванова И. И.", "--date", printed, "--tz", zoneName, "--scan", text)
	if code == ExitOK || !strings.Contains(stderr, "PDF, JPEG, PNG or TIFF") {
		t.Errorf("a 10-byte text file was taken as the signed scan: exit %d %s", code, stderr)
	}
	acts, _ := filepath.Glob(filepath.Join(home, "acts", "*.pdf"))
	if len(acts) == 0 {
		t.Fatal("no act PDF")
	}
	scan := acts[0] // a PDF that opens
	if _, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Петров П. П.", "--date", printed, "--scan", scan); code != ExitOK {
		t.Fatalf("the date printed on the act, without --tz: exit %d %s", code, stderr)
	}
	if _, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Иванова И. И.", "--date", printed, "--scan", scan); code == ExitOK || !strings.Contains(stderr, "unsign") {
		t.Errorf("signing a signed act again must be refused, naming the correction: %d %s", code, stderr)
	}
	if out, stderr, code := perenosCLI(t, home, "act", "unsign", org, "--reason", "подписал не руководитель"); code != ExitOK {
		t.Fatalf("act unsign: %d %s %s", code, out, stderr)
	}
	if out, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Иванова И. И.", "--date", printed, "--scan", scan); code != ExitOK || !strings.Contains(out, "Иванова И. И.") {
		t.Fatalf("signing again after the correction: %d %s %s", code, out, stderr)
	}
	events, _, _ := perenosCLI(t, home, "events", org)
	if !strings.Contains(events, "signature_voided") || !strings.Contains(events, "подписал не руководитель") {
		t.Errorf("the correction is not in the event log:\n%s", events)
	}
	show, _, _ := perenosCLI(t, home, "act", "show", org)
	if !strings.Contains(show, "запись о подписании аннулирована") || !strings.Contains(show, "подписал Иванова И. И.") {
		t.Errorf("act show:\n%s", show)
	}
}
