package registry

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"perenos/store"
)

func TestReadCSVBadRows(t *testing.T) {
	f, err := os.Open("testdata/registry_semicolon.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ReadCSV("registry_semicolon.csv", f)
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
		line   int
		column string
		text   string
	}{
		{3, "id", "empty id"},
		{4, "type", `unknown organisation type "hospital"`},
		{6, "legacy_url", "not an http(s) address"},
		{7, "id", "already appears on line 2"},
	}
	if len(res.Bad) != len(want) {
		t.Fatalf("bad rows %v", res.Bad)
	}
	for i, w := range want {
		b := res.Bad[i]
		if b.Line != w.line || b.Column != w.column || !strings.Contains(b.Msg, w.text) {
			t.Errorf("bad row %d: %v, want line %d column %s with %q", i, b, w.line, w.column, w.text)
		}
		if !strings.HasPrefix(b.Error(), "registry_semicolon.csv:") {
			t.Errorf("error does not name the file: %v", b)
		}
	}
	school := res.Orgs[0]
	if school.Settings["aliases"] != "www.school7.ru" || school.Type != store.School {
		t.Errorf("settings or type lost: %+v", school)
	}
	if res.Orgs[1].LegacyURL != "" {
		t.Errorf("empty legacy_url must stay empty: %q", res.Orgs[1].LegacyURL)
	}
	if res.Orgs[2].LegacyURL != "http://school5.example.ru/" || res.Orgs[2].Type != store.School {
		t.Errorf("address without scheme or upper-case type not normalised: %+v", res.Orgs[2])
	}
}

func TestReadCSVComma(t *testing.T) {
	in := "id,name,type,region,district,legacy_url,portal_site\n1,\"Школа, № 1\",school,R,D,http://a/,s1\n\n"
	res, err := ReadCSV("r.csv", strings.NewReader(in))
	if err != nil || len(res.Orgs) != 1 || len(res.Bad) != 0 || res.Orgs[0].Name != "Школа, № 1" {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestReadCSVMissingColumns(t *testing.T) {
	_, err := ReadCSV("r.csv", strings.NewReader("id,name\n1,x\n"))
	if err == nil || !strings.Contains(err.Error(), "portal_site") {
		t.Fatalf("missing columns: %v", err)
	}
}

// TestReadCSVWindows1251RussianHeaders imports what Russian Excel saves
// by default: windows-1251, semicolons, CRLF, Russian headers in any case
// and Russian type names (issue 17). The old reader refused the file as
// not UTF-8.
func TestReadCSVWindows1251RussianHeaders(t *testing.T) {
	f, err := os.Open("testdata/registry_cp1251.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ReadCSV("registry_cp1251.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, name, url string
		typ           store.OrgType
	}{
		{"3801012345", `МБОУ "Средняя общеобразовательная школа № 7"`, "http://sch7.example.ru/", store.School},
		{"3801000021", "МБДОУ «Детский сад № 1 „Ёлочка“»", "", store.Preschool},
		{"3801000031", "ОГБУЗ «Ангарская ЦРБ»", "https://crb.example.ru/", store.Medical},
		{"3801000041", "Администрация Савватеевского сельского поселения", "http://savv.example.ru:8080/", store.Municipal},
		{"3801000051", "МБОУ «Гимназия № 1»", "http://gym1.example.ru/", store.School},
		{"3801000061", "ОГАУЗ «Поликлиника № 2»", "", store.Medical},
		{"3801000071", "МОУ «Лицей № 3»", "http://licey3.example.ru/", store.School},
	}
	if len(res.Orgs) != len(want) {
		t.Fatalf("%d organisations, want %d: %+v; bad %v", len(res.Orgs), len(want), res.Orgs, res.Bad)
	}
	for i, w := range want {
		o := res.Orgs[i]
		if o.ID != w.id || o.Name != w.name || o.LegacyURL != w.url || o.Type != w.typ || o.Region != "Иркутская область" || o.District != "Ангарский городской округ" {
			t.Errorf("row %d: %+v, want %+v", i+2, o, w)
		}
	}
	if got := res.Orgs[0].Settings["огрн"]; got != "1023800000001" {
		t.Errorf("ОГРН beside ИНН must stay as a setting: %q", got)
	}
	// «начальная школа — детский сад» names two types: refused, by line
	if len(res.Bad) != 1 || res.Bad[0].Line != 9 || res.Bad[0].Column != "type" || !strings.Contains(res.Bad[0].Msg, "school and preschool") {
		t.Fatalf("bad rows %v", res.Bad)
	}
}

// TestReadCSVDamagedUTF8: a UTF-8 file with one broken byte is refused,
// naming its line, rather than read wholesale as windows-1251.
func TestReadCSVDamagedUTF8(t *testing.T) {
	in := "id;name;type;region;district;legacy_url;portal_site\n1;Школа № 1;школа;Иркутская область;Ангарский;;s1\n2;Шко\xffла № 2;школа;Иркутская область;Ангарский;;s2\n"
	_, err := ReadCSV("r.csv", strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "r.csv:3:") || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadCSVOtherEncodings(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "id\tname\ttype\tregion\tdistrict\tlegacy_url\tportal_site\n1\tШкола\tшкола\tR\tD\t\ts1\n" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	for name, data := range map[string][]byte{
		"UTF-16 «Unicode text»": utf16,
		"UTF-8 with BOM":        []byte("\uFEFFid;name;type;region;district;legacy_url;portal_site\n1;Школа;школа;R;D;;s1\n"),
		"windows-1251":          []byte("id,name,type,region,district,legacy_url,portal_site\n1,\xd8\xea\xee\xeb\xe0,\xf8\xea\xee\xeb\xe0,R,D,,s1\n"),
	} {
		res, err := ReadCSV("r.csv", bytes.NewReader(data))
		if err != nil || len(res.Orgs) != 1 || res.Orgs[0].Name != "Школа" || res.Orgs[0].Type != store.School {
			t.Errorf("%s: %v %+v", name, err, res)
		}
	}
}

func TestApplyTwiceDoesNotDuplicate(t *testing.T) {
	ws := store.TestStore(t)
	orgs := []store.Org{{ID: "1", Name: "a", Type: store.School, PortalSite: "s"}}
	c, u, n, err := Apply(ws, "t", orgs)
	if err != nil || c != 1 || u != 0 || n != 0 {
		t.Fatal(c, u, n, err)
	}
	orgs[0].Name = "b"
	c, u, n, err = Apply(ws, "t", orgs)
	if err != nil || c != 0 || u != 1 || n != 0 {
		t.Fatal(c, u, n, err)
	}
	all, _ := ws.Orgs()
	if len(all) != 1 || all[0].Name != "b" {
		t.Fatalf("%+v", all)
	}
}
