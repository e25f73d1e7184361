package mapping

import (
	"net/url"
	"slices"
	"testing"

	"perenos/extract"
	"perenos/store"
)

// Page addresses are read in whatever transliteration their author used,
// with the numbers mirrors append and the extensions of flat files.
func TestSlugsInAnyTransliteration(t *testing.T) {
	for _, c := range []struct {
		url, want string
	}{
		{"http://s.example/vakansii_mesta_dlya_priema.php", "sveden/vacant"},
		{"http://s.example/pitanie.html", "sveden/catering"},
		{"http://s.example/organizaciya_pitaniya/", "sveden/catering"},
		{"http://s.example/osnashchenie.php", "sveden/objects"},
		{"http://s.example/sveden/common.1.html", "sveden/common"},
		{"http://s.example/finansovo-hozjajstvennaja-dejatelnost.htm", "sveden/budget"},
		{"http://s.example/platnye_obrazovatelnye_uslugi.php", "sveden/paid_edu"},
		{"http://s.example/v_sotrudnichestve.php", ""}, // сотрудничество is not сотрудники
		{"http://s.example/zvonki.html", ""},
		// uCoz: the name before the page's number is the page's own
		{"http://s.example/index/organizacija_pitanija/0-25", "sveden/catering"},
		{"http://s.example/index/dokumenty/0-14", "sveden/document"},
		{"http://s.example/publ/platnye_uslugi/1-1-0-5", "sveden/paid_edu"},
		{"http://s.example/index/0-12", ""},
		{"http://s.example/news/vypusknoj_2023/2023-06-24-17", "news"},
		{"http://s.example/goszadanie.html", "sveden/budget"},
		// a wget mirror's file names for index.php?page=…
		{"http://s.example/index.php@page=pitanie.html", "sveden/catering"},
		{"http://s.example/index.php%3Fpage=pitanie&lang=ru.html", "sveden/catering"},
	} {
		org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
		in := site(org, page{url: c.url, title: "Страница"})
		cl := newClassifier(profiles(t)[store.School], in)
		var p *store.Page
		for _, x := range in.Pages {
			if x.URL == c.url {
				p = x
			}
		}
		cands := cl.classify(p, in.Docs[c.url])
		got := ""
		if len(cands) > 0 && cands[0].Confidence >= 0.6 {
			got = cands[0].Section
		}
		if got != c.want {
			t.Errorf("%s: %q (%+v), want %q", c.url, got, cands, c.want)
		}
	}
}

func TestSkeleton(t *testing.T) {
	for _, c := range [][2]string{
		{"щука", "shchuka"}, {"щука", "schuka"}, {"щука", "shhuka"},
		{"ягода", "yagoda"}, {"ягода", "jagoda"}, {"ягода", "iagoda"},
		{"питание", "pitanie"}, {"цена", "tsena"}, {"жизнь", "zhizn"}, {"хор", "khor"},
	} {
		if a, b := skeleton(c[0]), skeleton(c[1]); a != b {
			t.Errorf("skeleton(%s) = %s, skeleton(%s) = %s", c[0], a, c[1], b)
		}
	}
}

func TestQuerySegments(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"page=pitanie", []string{"pitanie"}},
		{"page=sveden/food", []string{"sveden", "food"}},
		{"razdel=vakansii.php&lang=ru", []string{"vakansii"}},
		{"option=com_content&view=article&id=12&Itemid=40", nil}, // the CMS's words and numbers
		{"page_id=45", nil},
		{"p=123", nil},
		{"page=news&id=41", []string{"news"}},
		{"s=pitanie", nil}, // a search, not a page's name
	} {
		q, _ := url.ParseQuery(tc.query)
		if got := querySegments(q); !slices.Equal(got, tc.want) {
			t.Errorf("querySegments(%q) = %q, want %q", tc.query, got, tc.want)
		}
	}
}

// An address that only spells the page's own name in Latin adds no
// section the name does not say, in the path or in the query alike.
func TestSpelledAddressAddsNothing(t *testing.T) {
	c := newClassifier(profiles(t)[store.School], Input{Org: &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}})
	for _, tc := range []struct {
		url, title, section string
		want                bool
		ref                 string // the text of a link to the page
	}{
		{"http://s.example/osnovnaya.html", "Основная школа", "sveden/common", false, ""},
		{"http://s.example/index.php?page=osnovnaya", "Основная школа", "sveden/common", false, ""},
		{"http://s.example/osnovnoe.html", "Начальная школа", "sveden/common", true, ""}, // the address is not the name: it says something of its own
		{"http://s.example/pitanie.html", "Питание", "sveden/catering", true, ""},        // the name says the section: the address stays a second witness
		// several words of the section's name are no chance, even under a
		// title with a typo that keeps it from naming the section
		{"http://s.example/vakansii_mesta_dlya_priema.php", "Вакансии места для приема (перевода)", "sveden/vacant", true, ""},
		// a page named for its audience has it in its address too
		{"http://s.example/information/teacher.html", "Учителям", "sveden/employees", false, ""},
		{"http://s.example/teachers.html", "Учителя", "sveden/employees", true, ""},
		{"http://s.example/info/teacher.html", "Школа № 11", "sveden/employees", false, "Учителям"}, // the title is the site's name: the links say whom it is for
	} {
		c.refs = map[string][]string{normURL(tc.url): {tc.ref}}
		if tc.ref == "" {
			c.refs = nil
		}
		d := &extract.Document{URL: tc.url, Title: tc.title, HTMLTitle: tc.title}
		got := slices.ContainsFunc(c.pageSignals(&store.Page{URL: tc.url, Kind: store.KindPage, Status: 200}, d), func(s signal) bool {
			return s.section == tc.section && s.src == evAddress
		})
		if got != tc.want {
			t.Errorf("%s titled «%s»: an address signal for %s %v, want %v", tc.url, tc.title, tc.section, got, tc.want)
		}
	}
}

// A mirror's copy is named by the original's address its mirroring tool
// noted, not by the hash the tool named the file by.
func TestMirrorCopyNamedByTheOriginal(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	u := "http://s.example/indexd6c3.html"
	in := site(org, page{url: u, title: "Страница"})
	in.Docs[u].MirroredFrom = "http://school.ru/index.php?page=pitanie"
	cl := newClassifier(profiles(t)[store.School], in)
	var p *store.Page
	for _, x := range in.Pages {
		if x.URL == u {
			p = x
		}
	}
	cands := cl.classify(p, in.Docs[u])
	if len(cands) == 0 || cands[0].Section != "sveden/catering" || cands[0].Confidence < 0.6 {
		t.Errorf("the copy of index.php?page=pitanie: %+v, want sveden/catering", cands)
	}
}

func TestBuilderID(t *testing.T) {
	for seg, want := range map[string]bool{
		"0-12": true, "0-5": true, "1-1-0-5": true, "2-3-45": true, // uCoz: a page, a catalogue's entry
		"2023-2024": false, "10-11": false, // a school year, grades
		"2023-06-24-17": false, // a dated news item (datedPath)
		"12":            false, "pitanie": false, "0-12a": false,
	} {
		if got := builderID(seg); got != want {
			t.Errorf("builderID(%q) = %v, want %v", seg, got, want)
		}
	}
}
