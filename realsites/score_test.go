package realsites

import (
	"reflect"
	"testing"

	"perenos/mapping"
)

// scorePlan is a plan with one item of each case the scorer tells apart.
func scorePlan() *mapping.Plan {
	const site = "http://127.0.0.1:1/"
	page := func(path string, reasons ...string) mapping.Item {
		return mapping.Item{Key: "/" + path, SourceURL: site + path, Kind: mapping.KindPage, Reasons: reasons, Confidence: 0.95}
	}
	part := func(path, sec string) mapping.Item {
		it := page(path)
		it.Key += "#" + sec
		return it
	}
	doc := func(path string) mapping.Item {
		return mapping.Item{Key: "/" + path, SourceURL: site + path, Kind: mapping.KindDocument}
	}
	record := mapping.Item{Key: "/wrong.html#record-1-staff", SourceURL: site + "wrong.html#record-1-staff", Kind: mapping.KindRecord}
	return &mapping.Plan{
		Sections: []mapping.SectionPlan{
			{ID: "home", Items: []mapping.Item{page("")}},
			{ID: "sveden", Items: []mapping.Item{part("total.html", "sveden")}},
			{ID: "sveden/common", Items: []mapping.Item{page("svedeniya.html"), part("total.html", "sveden/common"), part("half.html", "sveden/common"), page("sveden/common")}},
			{ID: "sveden/budget", Items: []mapping.Item{doc("files/fhd.pdf"), part("half.html", "sveden/budget")}},
			{ID: "sveden/managers", Items: []mapping.Item{record}},
			{ID: "other", Items: []mapping.Item{{Key: "/wrong.html", SourceURL: site + "wrong.html", Kind: mapping.KindPage, Reasons: []string{"заголовок страницы «Прочее»"}, Confidence: 0.65}, doc("files/ustav.pdf"), {Key: "/news/1.html", SourceURL: site + "news/1.html", Kind: mapping.KindNews}}},
		},
		Unplaced: []mapping.Item{page("review.html"), doc("files/menu.xlsx")},
		Excluded: []mapping.Item{
			{Key: "/print.html", SourceURL: site + "print.html", Kind: mapping.KindPage, Reason: "копия страницы", CopyOf: site + "svedeniya.html"},
			{Key: "/empty.html", SourceURL: site + "empty.html", Kind: mapping.KindPage, Reason: "пустая страница"},
			{Key: "/files/old.pdf", SourceURL: site + "files/old.pdf", Kind: mapping.KindDocument, Reason: "недоступно на старом сайте (HTTP 404)"},
		},
	}
}

// servedHTML answers every folder with its index.html.
func servedHTML(string) string { return "index.html" }

func TestJudge(t *testing.T) {
	ix := indexPlan(scorePlan())
	parent := func(id string) string {
		if id == "sveden/common" || id == "sveden/budget" {
			return "sveden"
		}
		return ""
	}
	for _, tc := range []struct {
		path   string
		accept []string
		want   string
		got    string
	}{
		{"index.html", []string{"home"}, outRight, ""},              // a folder's index names the folder's URL
		{"index.php", []string{"home"}, outNotInPlan, outNotInPlan}, // when the server answers the folder with it
		{"svedeniya.html", []string{"sveden/common"}, outRight, ""},
		{"svedeniya.html", []string{"sveden"}, outWrong, "sveden/common"}, // not a part: no credit for the parent
		{"print.html", []string{"sveden/common"}, outRight, ""},           // a copy counts where its original is
		{"print.html", []string{"other"}, outWrong, "sveden/common"},
		{"total.html", []string{"sveden"}, outRight, ""}, // parts of a split page in the section and its subsections
		{"half.html", []string{"sveden/common"}, outWrong, "sveden/budget+sveden/common"},
		{"half.html", []string{"sveden/common", "sveden/budget"}, outRight, ""},
		{"wrong.html", []string{"sveden/managers"}, outWrong, "other"}, // its record in the right section does not count
		{"review.html", []string{"other"}, outFlagged, outFlagged},
		{"empty.html", []string{"other"}, outWrong, "excluded"},
		{"missing.html", []string{"other"}, outNotInPlan, outNotInPlan},
		{"news/1.html", []string{"news", "other"}, outRight, ""},
		{"sveden/common/index.html", []string{"sveden/common"}, outRight, ""}, // crawled as linked, sveden/common, which the server redirects to sveden/common/
	} {
		out, miss := judge(ix.pages, Label{Site: "s", Path: tc.path, Accept: tc.accept}, servedHTML, parent)
		if out != tc.want || out != outRight && miss.Got != tc.got {
			t.Errorf("%s %v: %s, got %q; want %s, got %q", tc.path, tc.accept, out, miss.Got, tc.want, tc.got)
		}
	}
}

func TestScoreSite(t *testing.T) {
	pages := []Label{
		{Site: "s", Path: "index.html", Accept: []string{"home"}},
		{Site: "s", Path: "wrong.html", Accept: []string{"sveden/managers"}},
		{Site: "s", Path: "review.html", Accept: []string{"other"}},
		{Site: "s", Path: "missing.html", Accept: []string{"other"}},
	}
	docs := []Label{
		{Site: "s", Path: "files/fhd.pdf", Accept: []string{"sveden/budget"}},
		{Site: "s", Path: "files/ustav.pdf", Accept: []string{"sveden/document"}},
		{Site: "s", Path: "files/menu.xlsx", Accept: []string{"sveden/catering"}},
	}
	linked := []string{"files/fhd.pdf", "files/ustav.pdf", "files/menu.xlsx", "files/old.pdf", "files/gone.pdf"}
	sc, misses, lost := scoreSite(scorePlan(), pages, docs, linked, siteRules{served: servedHTML, parent: func(string) string { return "" }})
	if len(lost) != 1 || lost[0] != "files/gone.pdf" {
		t.Errorf("lost documents %v, want [files/gone.pdf]", lost)
	}
	want := Score{Sites: 1, Pages: 4, Right: 1, Accuracy: 0.25, Wrong: 1, WrongRate: 0.25, Flagged: 1, FlaggedRate: 0.25, NotInPlan: 1,
		Docs: 3, DocsRight: 1, DocsAccuracy: 0.3333, DocsInPlan: 0.8, linked: 5, linkedInPlan: 4}
	want.placed[binOf(0.65)], want.placed[binOf(0.95)], want.placedRight[binOf(0.95)] = 1, 1, 1
	got := sc
	got.Calibration = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("score\n got %+v\nwant %+v", got, want)
	}
	// the right home page placed at 0.95, the wrong page at 0.65
	for _, b := range sc.Calibration {
		switch b.From {
		case 0.6:
			if b.Placed != 1 || b.Right != 0 || b.Rate != 0 {
				t.Errorf("calibration bin %+v, want one placed, none right", b)
			}
		case 0.9:
			if b.Placed != 1 || b.Right != 1 || b.Rate != 1 || b.To != 1 {
				t.Errorf("calibration bin %+v, want one placed and right, up to 1", b)
			}
		default:
			if b.Placed != 0 {
				t.Errorf("calibration bin %+v, want empty", b)
			}
		}
	}
	if len(misses) != 3+2 {
		t.Errorf("%d misses, want 5: %+v", len(misses), misses)
	}
	var total Part = newPart()
	total.add(Site{Name: "s", Type: "school"}, sc, misses)
	total.add(Site{Name: "t", Type: "school"}, Score{Sites: 1, Pages: 4, Right: 4, linked: 0}, nil)
	if total.Pages != 8 || total.Accuracy != 0.625 || total.PerType["school"].Right != 5 || total.DocsInPlan != 0.8 {
		t.Errorf("sum of two sites: %+v", total.Score)
	}
}
