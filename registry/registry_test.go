package registry

import (
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

func TestReadCSVNotUTF8(t *testing.T) {
	_, err := ReadCSV("r.csv", strings.NewReader("id,name\n1,\xcf\xf0\xe8\n"))
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("windows-1251 registry: %v", err)
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

func FuzzReadCSV(f *testing.F) {
	f.Add("id;name;type;region;district;legacy_url;portal_site\n1;a;school;r;d;http://x/;s\n")
	f.Add("id,name,type,region,district,legacy_url,portal_site\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		res, err := ReadCSV("f.csv", strings.NewReader(in))
		if err != nil {
			return
		}
		for _, o := range res.Orgs {
			if o.ID == "" || o.PortalSite == "" {
				t.Fatalf("invalid org accepted: %+v", o)
			}
		}
	})
}
