package registry

import (
	"fmt"
	"strings"
	"testing"
)

// row is one registry row in CSV under the standard header, with the
// given cells replaced.
func row(cells map[string]string) string {
	base := map[string]string{"id": "3801000001", "name": "МБОУ СОШ № 1", "type": "school", "region": "Иркутская область", "district": "Ангарский ГО", "legacy_url": "http://s1.example.ru/", "portal_site": "s1"}
	for k, v := range cells {
		base[k] = v
	}
	var f []string
	for _, c := range required {
		f = append(f, `"`+strings.ReplaceAll(base[c], `"`, `""`)+`"`)
	}
	extra := ""
	for _, k := range []string{"robots", "robots_reason", "delay_ms", "per_host", "insecure", "aliases", "region_code"} {
		extra += `;"` + cells[k] + `"`
	}
	return strings.Join(f, ";") + extra
}

const header = "id;name;type;region;district;legacy_url;portal_site;robots;robots_reason;delay_ms;per_host;insecure;aliases;region_code\n"

// TestFieldLimits: the registry refuses, by line and column, what the old
// reader stored: a 40 MB name, NUL and escape bytes, port 99999, and
// addresses and settings no crawler can use (issue 15 item 11).
func TestFieldLimits(t *testing.T) {
	cases := []struct {
		name   string
		cells  map[string]string
		column string
		col    string
		msg    string
	}{
		{"40 MB name", map[string]string{"name": strings.Repeat("Ш", 20<<20)}, "name", "B", "has 20971520 characters, more than the 1000 allowed"},
		{"NUL", map[string]string{"name": "Школа\x00№ 1"}, "name", "B", "a NUL byte (U+0000) at character 6"},
		{"escape", map[string]string{"district": "\x1b]0;owned\x07Ангарский"}, "district", "E", "an escape character"},
		{"C1 CSI", map[string]string{"name": "Школа\u009b2J"}, "name", "B", "a C1 control character"},
		{"bidi", map[string]string{"region": "Иркутская\u202eобласть"}, "region", "D", "a bidirectional override"},
		{"long district", map[string]string{"district": strings.Repeat("р", 301)}, "district", "E", "more than the 300 allowed"},
		{"port 99999", map[string]string{"legacy_url": "http://s1.example.ru:99999/"}, "legacy_url", "F", "port 99999 is not between 1 and 65535"},
		{"port 0", map[string]string{"legacy_url": "s1.example.ru:0"}, "legacy_url", "F", "port 0 is not between 1 and 65535"},
		{"empty port", map[string]string{"legacy_url": "http://s1.example.ru:/"}, "legacy_url", "F", "port after ':' is missing"},
		{"password", map[string]string{"legacy_url": "http://admin:secret@s1.example.ru/"}, "legacy_url", "F", "user name or password"},
		{"bad host", map[string]string{"legacy_url": "http://s1..example.ru/"}, "legacy_url", "F", "empty part"},
		{"host with a star", map[string]string{"legacy_url": "http://*.example.ru/"}, "legacy_url", "F", `holds '*'`},
		{"spaces", map[string]string{"legacy_url": "http://s1 example.ru/"}, "legacy_url", "F", "holds spaces"},
		{"long url", map[string]string{"legacy_url": "http://s1.example.ru/" + strings.Repeat("a", 2000)}, "legacy_url", "F", "more than the 2000"},
		{"ftp", map[string]string{"legacy_url": "ftp://s1.example.ru/"}, "legacy_url", "F", "only http and https"},
		{"long id", map[string]string{"id": strings.Repeat("1", 65)}, "id", "A", "at most 64"},
		{"robots without reason", map[string]string{"robots": "ignore"}, "robots_reason", "I", "needs the reason"},
		{"robots short reason", map[string]string{"robots": "ignore", "robots_reason": "да"}, "robots_reason", "I", "needs the reason"},
		{"reason without robots", map[string]string{"robots_reason": "письмо директора № 12"}, "robots_reason", "I", "robots is not ignore"},
		{"robots typo", map[string]string{"robots": "ignor"}, "robots", "H", `"ignor": write ignore`},
		{"delay", map[string]string{"delay_ms": "полсекунды"}, "delay_ms", "J", "not a number of milliseconds"},
		{"per_host", map[string]string{"per_host": "0"}, "per_host", "K", "from 1 to 64"},
		{"insecure", map[string]string{"insecure": "maybe"}, "insecure", "L", "not true or false"},
		{"alias", map[string]string{"aliases": "www.s1.example.ru http://x/"}, "aliases", "M", `"http://x/" is not a host name`},
		{"region code", map[string]string{"region_code": "380"}, "region_code", "N", "two-digit"},
		{"setting with escape", map[string]string{"aliases": "www.s1.example.ru\x1b[2J"}, "aliases", "M", "an escape character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := ReadCSV("region.csv", strings.NewReader(header+row(c.cells)+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Orgs) != 0 || len(res.Bad) != 1 {
				t.Fatalf("accepted: %d organisations, bad rows %v", len(res.Orgs), res.Bad)
			}
			b := res.Bad[0]
			if b.Line != 2 || b.Column != c.column || columnLetter(b.Col-1) != c.col || !strings.Contains(b.Msg, c.msg) {
				t.Fatalf("%v\nwant line 2, %s in column %s, with %q", b, c.column, c.col, c.msg)
			}
			if want := "region.csv:2 (" + c.column + ", column " + c.col + "): "; !strings.HasPrefix(b.Error(), want) {
				t.Errorf("%q does not start with %q", b.Error(), want)
			}
		})
	}
}

// TestFieldsCleanedAndKept: what real registries hold passes, cleaned.
func TestFieldsCleanedAndKept(t *testing.T) {
	in := header + row(map[string]string{
		"name":          "МБОУ «СОШ № 1»\nимени А. С. Пушкина\u00a0",
		"legacy_url":    "https://школа1.рф:8443/index.php?lang=ru#top",
		"robots":        "IGNORE",
		"robots_reason": "письмо директора от 01.09.2024 № 12",
		"insecure":      "да",
		"aliases":       "www.s1.example.ru, s1.example.com",
		"delay_ms":      "1500",
	}) + "\n"
	res, err := ReadCSV("region.csv", strings.NewReader(in))
	if err != nil || len(res.Bad) != 0 || len(res.Orgs) != 1 {
		t.Fatalf("%v %v", err, res.Bad)
	}
	o := res.Orgs[0]
	if o.Name != "МБОУ «СОШ № 1» имени А. С. Пушкина" {
		t.Errorf("line break and non-breaking space not folded: %q", o.Name)
	}
	if o.LegacyURL != "https://xn--1-7sb3aeo2d.xn--p1ai:8443/index.php?lang=ru" {
		t.Errorf("address %q", o.LegacyURL)
	}
	want := map[string]string{"robots": "ignore", "robots_reason": "письмо директора от 01.09.2024 № 12", "insecure": "true", "aliases": "www.s1.example.ru s1.example.com", "delay_ms": "1500"}
	for k, v := range want {
		if o.Settings[k] != v {
			t.Errorf("setting %s = %q, want %q", k, o.Settings[k], v)
		}
	}
	if reason, ok := RobotsIgnored(&o); !ok || reason != want["robots_reason"] {
		t.Errorf("RobotsIgnored = %q, %v", reason, ok)
	}
	obey := header + row(map[string]string{"robots": "obey"}) + "\n"
	res, _ = ReadCSV("region.csv", strings.NewReader(obey))
	if len(res.Orgs) != 1 || res.Orgs[0].Settings != nil {
		t.Fatalf("robots=obey is the default and keeps nothing: %+v %v", res.Orgs, res.Bad)
	}
	if _, ok := RobotsIgnored(&res.Orgs[0]); ok {
		t.Errorf("robots obeyed by default")
	}
}

func TestFileLimits(t *testing.T) {
	big := strings.NewReader(header + strings.Repeat("x", maxFileBytes))
	if _, err := ReadCSV("huge.csv", big); err == nil || !strings.Contains(err.Error(), "huge.csv is larger than 64 MB") {
		t.Errorf("64 MB file: %v", err)
	}
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i <= maxRows; i++ {
		b.WriteString("1\n")
	}
	if _, err := ReadCSV("many.csv", strings.NewReader(b.String())); err == nil || !strings.Contains(err.Error(), "more than 100000 organisations") {
		t.Errorf("too many rows: %v", err)
	}
	wide := ""
	for i := range maxColumns {
		wide += fmt.Sprintf("c%d;", i)
	}
	wide += "id;name;type;region;district;legacy_url;portal_site\n"
	if _, err := ReadCSV("wide.csv", strings.NewReader(wide)); err == nil || !strings.Contains(err.Error(), "columns, more than the 256") {
		t.Errorf("wide header: %v", err)
	}
}
