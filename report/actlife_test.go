package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"perenos/store"
)

// A wrong signing record is voided with a reason, and the act is signed
// again; both are recorded, the voided record and its scan are kept, and
// the act itself stands (issue 16 item 4).
func TestUnsignThenSignAgain(t *testing.T) {
	ws, c, _ := verifiedSchool(t)
	opt := actOptions(ws)
	if _, err := IssueAct(ws, schoolOrg.ID, opt); err != nil {
		t.Fatal(err)
	}
	wrong, wrongSum := writeScan(t, "скан чужого акта")
	c.Set("2023-11-20 15:00")
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Петров", Date: "2023-11-20", Scan: wrong}, opt); err != nil {
		t.Fatal(err)
	}
	if _, err := UnsignAct(ws, schoolOrg.ID, "мало", opt); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("a voiding without a real reason: %v", err)
	}
	c.Set("2023-11-21 09:00")
	act, err := UnsignAct(ws, schoolOrg.ID, "приложен скан акта другой школы", opt)
	if err != nil {
		t.Fatal(err)
	}
	if act.Signature != nil || act.Void != nil || len(act.VoidedSignatures) != 1 || act.VoidedSignatures[0].ScanSHA256 != wrongSum {
		t.Fatalf("after unsign: %+v", act)
	}
	if o, _ := ws.Org(schoolOrg.ID); o.State != store.ActIssued {
		t.Fatalf("state %s after unsign, want act_issued", o.State)
	}
	if _, err := UnsignAct(ws, schoolOrg.ID, "ещё раз то же самое", opt); !errors.Is(err, ErrNotSigned) {
		t.Fatalf("unsigning an unsigned act: %v", err)
	}
	right, rightSum := writeScan(t, "скан подписанного акта")
	c.Set("2023-11-21 11:00")
	act, err = SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова А. П.", Date: "21.11.2023", Scan: right}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if act.Signature.ScanSHA256 != rightSum || act.Signature.Date != "2023-11-21" || len(act.VoidedSignatures) != 1 {
		t.Fatalf("signed again: %+v", act)
	}
	first, second := filepath.Join(ws.Dir, act.VoidedSignatures[0].Scan), filepath.Join(ws.Dir, act.Signature.Scan)
	if first == second {
		t.Fatalf("the second scan overwrote the first: %s", first)
	}
	for path, sum := range map[string]string{first: wrongSum, second: rightSum} {
		data, err := os.ReadFile(path)
		if err != nil || sha256Hex(data) != sum {
			t.Fatalf("scan %s: %v", path, err)
		}
	}
	evs, _ := ws.Events(schoolOrg.ID)
	var kinds []string
	for _, e := range evs[len(evs)-4:] {
		kinds = append(kinds, string(e.Kind)+":"+e.To)
	}
	if got := strings.Join(kinds, " "); got != "state:act_signed act:signature_voided state:act_issued state:act_signed" {
		t.Fatalf("the last events: %s", got)
	}
	if !strings.Contains(evs[len(evs)-3].Reason, "приложен скан акта другой школы") || evs[len(evs)-3].Actor != "test" {
		t.Fatalf("the voiding event: %+v", evs[len(evs)-3])
	}
	// The report: signed from the 20th, not signed on the 21st before the
	// second signature, signed again after it.
	for _, c := range []struct {
		at     string
		signed int
		date   string
	}{{"2023-11-20 23:00", 1, "2023-11-20"}, {"2023-11-21 10:00", 0, ""}, {"2023-11-22 09:00", 1, "2023-11-21"}} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", c.at, irkutsk)
		r, err := Build(ws, Options{At: at, Location: irkutsk})
		if err != nil {
			t.Fatal(err)
		}
		if r.All.ActSigned != c.signed || r.All.ActIssued != 1 || r.Orgs[0].ActSigned != c.date {
			t.Errorf("at %s: %d signed, %d issued, signed on %q; want %d and %q", c.at, r.All.ActSigned, r.All.ActIssued, r.Orgs[0].ActSigned, c.signed, c.date)
		}
	}
}

// The date on the paper is read in the act's own zone, whatever the
// zone of the machine or the workspace (issue 16 item 4: the date
// printed on the act was refused unless --tz was repeated).
func TestSigningDateIsReadInTheActsZone(t *testing.T) {
	kiritimati, err := time.LoadLocation("Pacific/Kiritimati") // UTC+14: its day is ahead of the machine's
	if err != nil {
		t.Fatal(err)
	}
	ws, c, _ := verifiedSchool(t)
	opt := actOptions(ws)
	opt.Location = kiritimati
	c.Set("2023-11-12 23:30") // Irkutsk; 05:30 on the 13th in Kiritimati
	ia, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	if ia.Act.Zone != "Pacific/Kiritimati" || ia.view.IssuedDate != "«13» ноября 2023 г." {
		t.Fatalf("act zone %q, date %s", ia.Act.Zone, ia.view.IssuedDate)
	}
	if _, err := ws.SetTimeZone("Pacific/Pago_Pago", "operator", "test"); err != nil { // UTC−11, a day behind
		t.Fatal(err)
	}
	scan, _ := writeScan(t, "скан")
	// No zone given: the act's own, so its printed date is today.
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова А. П.", Date: "13.11.2023", Scan: scan}, ActOptions{Actor: "test"}); err != nil {
		t.Fatalf("the date printed on the act: %v", err)
	}
}

// Rollback voids the act: recorded with the reason, «аннулирован» in act
// show, the number never reused, and the report after that moment counts
// the site neither as migrated nor as act-issued (issue 16 item 3).
func TestRollbackVoidsTheAct(t *testing.T) {
	ws, c, _ := verifiedSchool(t)
	opt := actOptions(ws)
	first, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	c.Set("2023-11-14 10:00")
	walk(t, ws, c, schoolOrg.ID, store.StageApprove) // what the pipeline's rollback step does
	c.Set("2023-11-14 10:05")
	voided, err := RecordRollback(ws, schoolOrg.ID, "rollback: 10 items removed from the portal", "test")
	if err != nil || voided == nil || voided.Number != first.Act.Number {
		t.Fatalf("rollback voided %+v (%v)", voided, err)
	}
	acts, _ := Acts(ws, schoolOrg.ID)
	if v := acts[0].Void; v == nil || !v.Rollback || !strings.Contains(v.Reason, "10 items removed") || acts[0].Status() != ActVoided {
		t.Fatalf("the act after the rollback: %+v", acts[0])
	}
	if again, err := RecordRollback(ws, schoolOrg.ID, "rollback: 0 items removed from the portal", "test"); err != nil || again != nil {
		t.Fatalf("a second rollback voided %+v (%v)", again, err)
	}
	evs, _ := ws.Events(schoolOrg.ID)
	var voids int
	for _, e := range evs {
		if e.Kind == EventAct && e.To == ActVoided {
			voids++
			if !strings.Contains(e.Reason, "10 items removed") || e.From != "issued" {
				t.Errorf("void event %+v", e)
			}
		}
	}
	if voids != 1 {
		t.Fatalf("%d void events, want 1", voids)
	}
	var show bytes.Buffer
	if err := WriteActs(&show, acts, irkutsk); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(show.String(), "Акт № 38-0001, версия 1 — аннулирован") || !strings.Contains(show.String(), "аннулирован 14.11.2023 10:05 (test) при откате переноса") {
		t.Fatalf("act show:\n%s", show.String())
	}
	for _, c := range []struct {
		at                string
		migrated, actDone int
		voided            bool
	}{{"2023-11-13 12:00", 1, 1, false}, {"2023-11-14 10:06", 0, 0, true}, {"2024-01-01 00:00", 0, 0, true}} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", c.at, irkutsk)
		r, err := Build(ws, Options{At: at, Location: irkutsk})
		if err != nil {
			t.Fatal(err)
		}
		row := r.Orgs[0]
		if r.All.Migrated != c.migrated || r.All.ActIssued != c.actDone || (row.ActVoided != nil) != c.voided || (row.Migrated != nil) != (c.migrated == 1) {
			t.Errorf("at %s: migrated %d, act issued %d, row %+v; want %d, %d, voided %v", c.at, r.All.Migrated, r.All.ActIssued, row, c.migrated, c.actDone, c.voided)
		}
	}
	// Migrated again: a new act with a new number, which says what it replaces.
	c.Set("2023-11-20 10:00")
	walk(t, ws, c, schoolOrg.ID, store.StageUpload, store.StageVerify)
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова", Date: "2023-11-20", Scan: "x"}, opt); !errors.Is(err, ErrVoided) {
		t.Fatalf("signing the voided act: %v", err)
	}
	next, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	if next.Act.Number != "38-0002" || next.Act.Version != 1 || next.Act.Replaces != "38-0001 v1" || !strings.HasPrefix(next.Act.PDF, "acts/38-0002-") {
		t.Fatalf("the act after the voided one: %+v", next.Act)
	}
	if acts, _ := Acts(ws, schoolOrg.ID); len(acts) != 2 || acts[0].Void == nil || acts[1].Void != nil {
		t.Fatalf("acts on file: %+v", acts)
	}
	text := pdfText(t, filepath.Join(ws.Dir, next.Act.PDF))
	if !strings.Contains(text, "Настоящий акт выдан взамен акта № 38-0001, версия 1, от 12.11.2023, аннулированного 14.11.2023") {
		t.Errorf("the new act does not say what it replaces: %s", text)
	}
	at, _ := time.ParseInLocation("2006-01-02 15:04", "2023-11-21 00:00", irkutsk)
	if r, _ := Build(ws, Options{At: at, Location: irkutsk}); r.All.Migrated != 1 || r.All.ActIssued != 1 || r.Orgs[0].ActNumber != "38-0002" || r.Orgs[0].ActVoided != nil {
		t.Errorf("after the new act: %+v %+v", r.All, r.Orgs[0])
	}
}

// An operator voids an unsigned act with a reason; a signed one is refused.
func TestVoidAct(t *testing.T) {
	ws, c, _ := verifiedSchool(t)
	opt := actOptions(ws)
	if _, err := VoidAct(ws, schoolOrg.ID, "ошибка в реквизитах", opt); !errors.Is(err, ErrNoAct) {
		t.Fatalf("voiding before an act: %v", err)
	}
	if _, err := IssueAct(ws, schoolOrg.ID, opt); err != nil {
		t.Fatal(err)
	}
	act, err := VoidAct(ws, schoolOrg.ID, "ошибка в реквизитах организации", opt)
	if err != nil || act.Void == nil || act.Void.Rollback {
		t.Fatalf("void: %+v %v", act, err)
	}
	if o, _ := ws.Org(schoolOrg.ID); o.State != store.Verified {
		t.Fatalf("state %s after voiding, want verified", o.State)
	}
	if _, err := VoidAct(ws, schoolOrg.ID, "ошибка в реквизитах организации", opt); !errors.Is(err, ErrVoided) {
		t.Fatalf("voiding twice: %v", err)
	}
	next, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil || next.Act.Number != "38-0002" {
		t.Fatalf("the next act: %+v %v", next, err)
	}
	scan, _ := writeScan(t, "скан")
	c.Set("2023-11-20 10:00")
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова", Date: "2023-11-20", Scan: scan}, opt); err != nil {
		t.Fatal(err)
	}
	if _, err := VoidAct(ws, schoolOrg.ID, "передумали подписывать", opt); !errors.Is(err, ErrSigned) || !strings.Contains(err.Error(), "act unsign") {
		t.Fatalf("voiding a signed act: %v", err)
	}
}

// A text file is not a signed scan, and nothing is recorded for it.
func TestSignRefusesATextFile(t *testing.T) {
	ws, _, _ := verifiedSchool(t)
	opt := actOptions(ws)
	if _, err := IssueAct(ws, schoolOrg.ID, opt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scan.pdf")
	os.WriteFile(path, []byte("signed ok\n"), 0o644)
	_, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова", Date: "2023-11-12", Scan: path}, opt)
	if !errors.Is(err, ErrBadScan) || !strings.Contains(err.Error(), ScanFormats) {
		t.Fatalf("a 10-byte text file as the scan: %v", err)
	}
	if o, _ := ws.Org(schoolOrg.ID); o.State != store.ActIssued {
		t.Fatalf("state %s", o.State)
	}
	if files, _ := filepath.Glob(filepath.Join(ws.Dir, "acts", "*signed*")); len(files) != 0 {
		t.Fatalf("the refused scan was kept: %v", files)
	}
}
