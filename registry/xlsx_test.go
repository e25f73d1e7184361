package registry

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"perenos/store"
)

// workbook builds an .xlsx in memory from rows (row 1 first); a nil row
// stays empty, and int64 cells are stored as numbers.
func workbook(t *testing.T, sheet string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSXBadRowsWithRowNumbers(t *testing.T) {
	data := workbook(t, "Организации", [][]any{
		{"ID", "Name", "type", "region", "district", "legacy_url", "portal_site", "aliases"},
		{int64(3801012345), "МБОУ СОШ № 7", "school", "Иркутская область", "Ангарский ГО", "http://sch7.example.ru/", "sh7-angarsk", "www.school7.ru"},
		{"", "Без ИНН", "school", "Иркутская область", "Ангарский ГО", "", "ds1"},
		{"3801000002", "Больница", "hospital", "Иркутская область", "Ангарский ГО", "http://b.example/", "b1"},
		nil, // an empty row in the middle keeps the numbering of the rows below it
		{"3801000003", "Детский сад № 1", "preschool", "Иркутская область", "Ангарский ГО", "", "ds1-angarsk"},
		{"3801000004", "Школа № 4", "school", "Иркутская область", "Ангарский ГО", "ftp://x/", "s4"},
		{"3801012345", "Дубль", "school", "Иркутская область", "Ангарский ГО", "", "dup"},
		{"3801000005", "Школа № 5", "SCHOOL", "Иркутская область", "Ангарский ГО", "school5.example.ru", "s5"},
	})
	res, err := ReadXLSX("registry.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range res.Orgs {
		ids = append(ids, o.ID)
	}
	if got := strings.Join(ids, ","); got != "3801012345,3801000003,3801000005" {
		t.Fatalf("good rows %s", got)
	}
	want := []struct {
		row    int
		column string
		text   string
	}{
		{3, "id", "empty id"},
		{4, "type", `unknown organisation type "hospital"`},
		{7, "legacy_url", "not an http(s) address"},
		{8, "id", "already appears on line 2"},
	}
	if len(res.Bad) != len(want) {
		t.Fatalf("bad rows %v", res.Bad)
	}
	for i, w := range want {
		b := res.Bad[i]
		if b.Line != w.row || b.Column != w.column || !strings.Contains(b.Msg, w.text) {
			t.Errorf("bad row %d: %v, want row %d column %s with %q", i, b, w.row, w.column, w.text)
		}
		if !strings.HasPrefix(b.Error(), "registry.xlsx:") {
			t.Errorf("error does not name the file: %v", b)
		}
	}
	school := res.Orgs[0]
	if school.Name != "МБОУ СОШ № 7" || school.Type != store.School || school.Settings["aliases"] != "www.school7.ru" {
		t.Errorf("numeric ID, Cyrillic name or settings lost: %+v", school)
	}
	if res.Orgs[2].LegacyURL != "http://school5.example.ru/" {
		t.Errorf("address without scheme not normalised: %q", res.Orgs[2].LegacyURL)
	}
}

func TestReadXLSXHeaderBelowEmptyRows(t *testing.T) {
	data := workbook(t, "Sheet1", [][]any{
		nil,
		{"id", "name", "type", "region", "district", "legacy_url", "portal_site"},
		{"1", "Школа", "school", "R", "D", "", "s1"},
		{"2", "", "school", "R", "D", "", "s2"},
	})
	res, err := ReadXLSX("r.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orgs) != 1 || len(res.Bad) != 1 || res.Bad[0].Line != 4 || res.Bad[0].Column != "name" {
		t.Fatalf("%+v %v", res.Orgs, res.Bad)
	}
}

func TestReadXLSXErrors(t *testing.T) {
	missing := workbook(t, "Sheet1", [][]any{{"id", "name"}, {"1", "x"}})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"missing columns", missing, "portal_site"},
		{"empty sheet", workbook(t, "Sheet1", nil), "empty"},
		{"old xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, ".xlsx"},
		{"not a workbook", []byte("id,name\n"), "not a readable .xlsx"},
	} {
		_, err := ReadXLSX("r.xlsx", bytes.NewReader(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}
