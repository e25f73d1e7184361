package mapping

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"perenos/store"
)

// hostileRows are worksheet rows carrying text from a legacy site that a
// spreadsheet would run as formulas.
func hostileRows() []WorksheetRow {
	return []WorksheetRow{
		{N: 1, Section: "sveden/common", SectionTitle: "Основные сведения", PortalPath: "/svedeniya/", What: `=HYPERLINK("http://evil.example/","учредитель")`, Basis: "Приказ № 1493", Why: "не найдено"},
		{N: 2, Section: "sveden/struct", SectionTitle: "Структура", PortalPath: "/struktura/", What: "@SUM(A1:A9)", Basis: "-1+2", Why: "+7 (3955) 52-11-22"},
	}
}

// TestWorksheetCSVNeutralises: gaps --format csv writes text that starts
// with = + - @ after an apostrophe, and the row number as a number (issue
// 15 item 10).
func TestWorksheetCSVNeutralises(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteWorksheet(&buf, "csv", &store.Org{ID: "1", Name: "Школа"}, hostileRows()); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("%v %q", err, recs)
	}
	want := [][]string{
		{"1", "Основные сведения", "/svedeniya/", `'=HYPERLINK("http://evil.example/","учредитель")`, "Приказ № 1493", "не найдено", ""},
		{"2", "Структура", "/struktura/", "'@SUM(A1:A9)", "'-1+2", "'+7 (3955) 52-11-22", ""},
	}
	for i, w := range want {
		if got := strings.Join(recs[i+1], "|"); got != strings.Join(w, "|") {
			t.Errorf("row %d:\n got %s\nwant %s", i+1, got, strings.Join(w, "|"))
		}
	}
}

// TestWorksheetXLSX: the gaps workbook's table has a frozen header, a
// filter, widths, the row number as a number, and formula-like text kept
// as text (issue 17, issue 15 item 10).
func TestWorksheetXLSX(t *testing.T) {
	var buf bytes.Buffer
	org := &store.Org{ID: "3801000001", Name: "=Школа"}
	if err := WriteWorksheet(&buf, "xlsx", org, hostileRows()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sh = "Пробелы"
	if v, _ := f.GetCellValue(sh, "A3"); v != "№" {
		t.Fatalf("header not in row 3: %q", v)
	}
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if typ, _ := f.GetCellType(sh, "A4"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("row number stored as text")
	}
	for _, cell := range []string{"D4", "D5", "E5", "F5"} {
		if formula, _ := f.GetCellFormula(sh, cell); formula != "" {
			t.Errorf("%s holds a formula %q", cell, formula)
		}
		id, _ := f.GetCellStyle(sh, cell)
		if xf := f.Styles.CellXfs.Xf[id]; xf.QuotePrefix == nil || !*xf.QuotePrefix {
			t.Errorf("%s lacks the quote prefix", cell)
		}
	}
	if v, _ := f.GetCellValue(sh, "D4"); v != `=HYPERLINK("http://evil.example/","учредитель")` {
		t.Errorf("D4 = %q", v)
	}
	if w, _ := f.GetColWidth(sh, "E"); w != 60 {
		t.Errorf("width of the basis column %v", w)
	}
	if sheetXML := readPart(t, f, "xl/worksheets/sheet1.xml"); !strings.Contains(sheetXML, `<autoFilter ref="$A$3:$G$5"`) {
		t.Errorf("no filter over the table:\n%s", sheetXML)
	}
}

// readPart writes the workbook out and returns one of its parts.
func readPart(t *testing.T, f *excelize.File, name string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	v, ok := g.Pkg.Load(name)
	if !ok {
		t.Fatalf("no part %s", name)
	}
	return string(v.([]byte))
}
