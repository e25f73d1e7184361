package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"perenos/store"
)

// TestOrganisationsSheet: the coordinator's workbook has a row per
// organisation with its stage, dates, act number, signing date and
// domain, numbers and dates stored as such (issue 17).
func TestOrganisationsSheet(t *testing.T) {
	ws, c, _ := verifiedSchool(t)
	opt := actOptions(ws)
	act, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	scan, _ := writeScan(t, "signed scan")
	c.Set("2023-11-20 15:00")
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова А. П.", Date: "2023-11-20", Scan: scan}, opt); err != nil {
		t.Fatal(err)
	}
	c.Set("2023-11-21 09:00")
	if _, err := ws.UpsertOrg("test", store.Org{ID: "3801000099", Name: "=HYPERLINK(\"http://evil.example/\",\"Школа\")", Type: store.School, District: "+7 Ангарский", PortalSite: "s99"}); err != nil {
		t.Fatal(err)
	}
	r, err := Build(ws, Options{Location: irkutsk})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sh = "Организации"
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "ИНН / код" || rows[0][10] != "Номер акта" {
		t.Fatalf("rows %q", rows)
	}
	// sorted by district: «+7 Ангарский» comes before «Ангарский городской округ»
	want := map[string]string{
		"A2": "3801000099", "B2": `=HYPERLINK("http://evil.example/","Школа")`, "D2": "+7 Ангарский",
		"A3": "3801012345", "B3": schoolOrg.Name, "F3": "Акт подписан", "G3": "20.11.2023", "H3": "01.11.2023",
		"I3": "10.11.2023", "J3": "12.11.2023", "K3": act.Act.Number, "L3": "1", "M3": "20.11.2023", "N3": "", "O3": "нет",
	}
	for cell, v := range want {
		if got, _ := f.GetCellValue(sh, cell); got != v {
			t.Errorf("%s = %q, want %q", cell, got, v)
		}
	}
	for _, cell := range []string{"B2", "D2"} {
		if formula, _ := f.GetCellFormula(sh, cell); formula != "" {
			t.Errorf("%s holds the formula %q", cell, formula)
		}
		// and stays text when someone edits it: Excel's quote prefix
		if id, _ := f.GetCellStyle(sh, cell); id <= 0 || f.Styles.CellXfs.Xf[id].QuotePrefix == nil || !*f.Styles.CellXfs.Xf[id].QuotePrefix {
			t.Errorf("%s lacks the quote prefix", cell)
		}
	}
	// dates and numbers are stored as numbers, not as text
	for cell, raw := range map[string]string{"M3": "45250", "J3": "45242", "L3": "1"} {
		typ, _ := f.GetCellType(sh, cell)
		got, _ := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || got != raw {
			t.Errorf("%s: type %v, raw %q; want the number %s", cell, typ, got, raw)
		}
	}
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if w, _ := f.GetColWidth(sh, "B"); w != 50 {
		t.Errorf("name column width %v", w)
	}
}

// TestReportCSVNeutralisesFormulas: district names from the registry
// that start with = + - @ reach `report --format csv` after an apostrophe
// (issue 15 item 10); counts stay numbers.
func TestReportCSVNeutralisesFormulas(t *testing.T) {
	c := &clock{}
	c.Set("2023-10-01 10:00")
	ws := openAt(t, c)
	for i, d := range []string{"=1+1", "@SUM(A1)", "-2+3", "Ангарский ГО"} {
		if _, err := ws.UpsertOrg("test", store.Org{ID: "380100000" + string(rune('1'+i)), Name: "Школа", Type: store.School, District: d, PortalSite: "s"}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Build(ws, Options{Location: irkutsk})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF")))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]bool{}
	for _, rec := range recs {
		if rec[0] == "по районам" {
			groups[rec[1]] = true
			if rec[2] == "итого" && rec[3] != "1" {
				t.Errorf("count %q", rec)
			}
		}
	}
	for _, g := range []string{"'=1+1", "'@SUM(A1)", "'-2+3", "Ангарский ГО"} {
		if !groups[g] {
			t.Errorf("district %q missing; got %v", g, groups)
		}
	}
	for g := range groups {
		if strings.HasPrefix(g, "=") || strings.HasPrefix(g, "@") || strings.HasPrefix(g, "-") {
			t.Errorf("district %q written raw", g)
		}
	}
}

// TestAllOfNoneIsNotMet: a milestone whose target is all organisations of
// a type the registry has none of is neither met nor missed (issue 17).
func TestAllOfNoneIsNotMet(t *testing.T) {
	c := &clock{}
	c.Set("2023-08-10 10:00")
	ws := openAt(t, c)
	if _, err := ws.UpsertOrg("test", store.Org{ID: "3801000001", Name: "Школа", Type: store.School, PortalSite: "s"}); err != nil {
		t.Fatal(err)
	}
	c.Set("2023-10-01 10:00")
	rm, err := ParseRoadmap("t", []byte(`id: t
title: T
timezone: Asia/Irkutsk
start: 2023-08-01
milestones:
  - {metric: migrated, types: [medical], due: 2023-09-01, target: all}
  - {metric: migrated, types: [medical], due: 2023-12-01, target: all}
  - {metric: migrated, types: [school], due: 2023-09-01, target: all}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(ws, Options{Roadmap: rm})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []Status{StatusNoScope, StatusNoScope, StatusMissed} {
		if got := r.Milestones[i].Status; got != want {
			t.Errorf("milestone %d: %s, want %s", i+1, got, want)
		}
	}
	var b bytes.Buffer
	WriteTable(&b, r)
	if !strings.Contains(b.String(), "нет организаций в охвате") {
		t.Errorf("the table does not say the milestone counts no one:\n%s", b.String())
	}
}
