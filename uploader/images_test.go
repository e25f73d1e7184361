package uploader

import (
	"io"
	"strings"
	"testing"

	"perenos/mapping"
	"perenos/portal"
	"perenos/store"
)

// A page that shows same-site pictures carries them to the portal as
// files, and its Markdown points at the portal's copies; a picture the
// crawl did not fetch keeps its address. Before, every photo kept the old
// host's address and broke with the domain switch.
func TestPicturesGoAlongWithTheirPage(t *testing.T) {
	org := &store.Org{ID: "3801000001", LegacyURL: "http://old.example/", PortalSite: "sh1"}
	plan := &mapping.Plan{Org: org.ID, Sections: []mapping.SectionPlan{{ID: "news", Title: "Новости", PortalPath: "/news/", Items: []mapping.Item{{
		Key: "/gallery.html", SourceURL: "http://old.example/gallery.html", Kind: mapping.KindPage, Title: "Фотогалерея",
		Body: "Осенний бал.\n\n![Зал](http://old.example/img/zal.jpg) ![Сцена](http://old.example/img/scena.jpg)\n\n![Чужая](http://other.example/x.jpg)",
	}}}}}
	open := func(sha string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("jpeg")), nil }
	site := Site{Org: org, Base: "https://portal.example", Images: map[string]File{
		normURL("http://old.example/img/zal.jpg"):   {SHA256: strings.Repeat("a", 64), Size: 4, Name: "zal.jpg", Open: func() (io.ReadCloser, error) { return open("") }},
		normURL("http://old.example/img/scena.jpg"): {SHA256: strings.Repeat("b", 64), Size: 4, Name: "scena.jpg", Open: func() (io.ReadCloser, error) { return open("") }},
	}}
	ops, _, err := BuildOps(site, plan, open)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	var body string
	for _, op := range ops {
		switch op.Kind {
		case portal.KindFile:
			files = append(files, op.Key)
		case portal.KindPage:
			body = op.Obj.(*portal.Page).Body
		}
	}
	if len(files) != 2 {
		t.Fatalf("files uploaded for the pictures: %v", files)
	}
	for _, want := range []string{
		"https://portal.example" + portal.FilePath("sh1", strings.Repeat("a", 64), "zal.jpg"),
		"https://portal.example" + portal.FilePath("sh1", strings.Repeat("b", 64), "scena.jpg"),
		"http://other.example/x.jpg",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page's Markdown lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "old.example/img") {
		t.Errorf("a fetched picture still points at the old host:\n%s", body)
	}
}
