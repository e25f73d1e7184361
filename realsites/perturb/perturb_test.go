package perturb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCopyRenamesAndStrips(t *testing.T) {
	dst := t.TempDir()
	sites, err := Copy("testdata/corpus", dst, nil, What{Names: true, Titles: true, Headings: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 1 || sites[0] != "s" {
		t.Fatalf("copied %v, want the static site s alone", sites)
	}
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(dst, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	home := read("sites/s/index.html")
	for _, want := range []string{`href="p01.html"`, `href='sub/p02.html#map'`, `href="files/ustav.pdf"`, "<title>Официальный сайт</title>"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %s:\n%s", want, home)
		}
	}
	if strings.Contains(home, "<h1>") {
		t.Errorf("home page keeps its heading:\n%s", home)
	}
	if sub := read("sites/s/sub/p02.html"); !strings.Contains(sub, `href="../p01.html?x=1"`) || strings.Contains(sub, "<h3") {
		t.Errorf("renamed subfolder page:\n%s", sub)
	}
	if _, err := os.Stat(filepath.Join(dst, "sites/s/platnye-uslugi.html")); err == nil {
		t.Error("the old name is still there")
	}
	labels := read("labels.tsv")
	for _, want := range []string{"s\tindex.html\thome", "s\tp01.html\tsveden/paid_edu", "s\tsub/p02.html\tcontacts"} {
		if !strings.Contains(labels, want) {
			t.Errorf("labels lack %q:\n%s", want, labels)
		}
	}
	if strings.Contains(labels, "index.php") || strings.Contains(read("SOURCES.tsv"), "\nphp") {
		t.Errorf("the PHP site's rows were copied:\n%s", labels)
	}
	if !strings.Contains(read("docs.tsv"), "s\tfiles/ustav.pdf") {
		t.Error("the documents' labels were not copied")
	}
}

func TestParse(t *testing.T) {
	if w, err := Parse("names, titles"); err != nil || w != (What{Names: true, Titles: true}) {
		t.Errorf("Parse(names, titles) = %+v, %v", w, err)
	}
	for _, bad := range []string{"", "slugs", "names,colour"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
