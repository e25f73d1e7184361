package registry

import (
	"bytes"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"perenos/store"
)

// checkOrgs fails the fuzz run when an accepted organisation breaks a
// rule the registry promises: no control bytes, fields within their
// limits, a usable address, known settings valid.
func checkOrgs(t *testing.T, orgs []store.Org) {
	t.Helper()
	for _, o := range orgs {
		if o.ID == "" || o.PortalSite == "" || o.Name == "" {
			t.Fatalf("invalid org accepted: %+v", o)
		}
		fields := map[string]string{"id": o.ID, "name": o.Name, "region": o.Region, "district": o.District, "legacy_url": o.LegacyURL, "portal_site": o.PortalSite}
		for k, v := range o.Settings {
			fields["setting "+k] = v
		}
		for k, v := range fields {
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxSetting {
				t.Fatalf("%s: %d characters or not UTF-8", k, len(v))
			}
			for _, r := range v {
				if badRune(r) != "" || r == '\t' || r == '\n' || r == '\r' {
					t.Fatalf("%s holds %U: %q", k, r, v)
				}
			}
		}
		if utf8.RuneCountInString(o.Name) > maxName {
			t.Fatalf("name of %d characters", utf8.RuneCountInString(o.Name))
		}
		if o.LegacyURL != "" {
			u, err := url.Parse(o.LegacyURL)
			if err != nil || u.Hostname() == "" || u.User != nil {
				t.Fatalf("legacy_url %q: %v", o.LegacyURL, err)
			}
			if p := u.Port(); p != "" {
				if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
					t.Fatalf("legacy_url %q: port %s", o.LegacyURL, p)
				}
			}
		}
		if r := o.Settings[SettingRobots]; r != "" && (r != RobotsIgnore || len([]rune(o.Settings[SettingRobotsReason])) < minRobotsReason) {
			t.Fatalf("robots %q with reason %q", r, o.Settings[SettingRobotsReason])
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("id;name;type;region;district;legacy_url;portal_site\n1;a;school;r;d;http://x/;s\n"))
	f.Add([]byte("id,name,type,region,district,legacy_url,portal_site\n\"unterminated\n"))
	f.Add([]byte(header + row(map[string]string{"robots": "ignore", "robots_reason": "письмо директора № 12", "legacy_url": "школа.рф:8080"}) + "\n"))
	f.Add([]byte(header + row(map[string]string{"name": "Школа\x00\x1b[2J", "legacy_url": "http://s1.example.ru:99999/"}) + "\n"))
	f.Add([]byte("ИНН;НАИМЕНОВАНИЕ;Вид;Субъект;Район;Сайт;Портал\n1;Ёлочка;МБДОУ;R;D;;ds\n"))
	if b, err := os.ReadFile("testdata/registry_cp1251.csv"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := ReadCSV("f.csv", bytes.NewReader(in))
		if err != nil {
			return
		}
		checkOrgs(t, res.Orgs)
	})
}

// FuzzReadXLSX: any bytes give a result or an error naming the file,
// never a panic; what is accepted keeps the registry's rules.
func FuzzReadXLSX(f *testing.F) {
	good := workbook(f, "Sheet1", [][]any{
		{"ИНН", "Наименование", "Тип", "Регион", "Район", "Сайт", "Портал", "robots", "robots_reason"},
		{int64(3801012345), "МБОУ СОШ № 7", "СОШ", "Иркутская область", "Ангарский ГО", "http://sch7.example.ru:8080/", "sh7", "ignore", "письмо директора № 12"},
		{"2", "Школа\x1b[31m", "школа", "R", "D", "http://x:99999/", "s2"},
	})
	f.Add(good)
	base := workbook(f, "Sheet1", [][]any{{"id"}})
	f.Add(rezip(f, base, nil, map[string]uint64{"xl/worksheets/sheet1.xml": 8 << 30}, 0))
	f.Add(rezip(f, base, map[string][]byte{"xl/sharedStrings.xml": []byte(`<sst><si>` + strings.Repeat("<r>", 100) + `</si></sst>`)}, nil, 0))
	f.Add(rezip(f, base, map[string][]byte{"xl/worksheets/sheet1.xml": sheetXML([][]string{headerRow, {"@XFD:x"}, {"1", "a", "school", "r", "d", "", "s"}})}, nil, 0))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0})
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := ReadXLSX("f.xlsx", bytes.NewReader(in))
		if err != nil {
			if !strings.Contains(err.Error(), "f.xlsx") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		checkOrgs(t, res.Orgs)
	})
}
