package uploader

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"perenos/store"
)

func TestRedirects(t *testing.T) {
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	rs := Redirects(org, testPlan(), "https://portal.example")
	if len(rs) != 3 {
		t.Fatalf("%d redirects for a plan with two pages and a document: %+v", len(rs), rs)
	}
	rs = append(rs, Redirect{From: `http://old.example/news.php?id=7&x="1"`, To: "https://portal.example/sites/sh1/news/n1", Kind: "news"})
	var buf bytes.Buffer
	if err := WriteRedirects(&buf, "csv", rs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][0] != "http://old.example/sveden/paid_edu.html" || !strings.HasPrefix(rows[1][1], "https://portal.example/sites/sh1/pages/3801.p.") {
		t.Fatalf("csv: %v %v", rows, err)
	}
	buf.Reset()
	if err := WriteRedirects(&buf, "nginx", rs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"/sveden/paid_edu.html" "https://portal.example/sites/sh1/pages/3801.p.`, `"/files/ustav.pdf" "https://portal.example/sites/sh1/files/`,
		`"/news.php?id=7&x=\"1\"" "https://portal.example/sites/sh1/news/n1";`, "return 301 $perenos_new_url;"} {
		if !strings.Contains(out, want) {
			t.Errorf("nginx snippet lacks %s:\n%s", want, out)
		}
	}
	if err := WriteRedirects(&buf, "apache", rs); err == nil {
		t.Error("an unknown format was accepted")
	}
}
