package review

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"perenos/mapping"
	"perenos/store"
)

func hostilePlan() *mapping.Plan {
	return &mapping.Plan{Org: "3801", Type: store.School,
		Sections: []mapping.SectionPlan{
			{ID: "sveden/paid_edu", Title: "Платные образовательные услуги", PortalPath: "/svedeniya/platnye/", Mandated: true, Items: []mapping.Item{
				{SourceURL: `http://old.example/p?a=1&b="><script>alert(1)</script>`, Kind: mapping.KindPage, Title: `<img src=x onerror=alert(2)>Платные услуги`, Confidence: 0.9, Reasons: []string{"адрес страницы /sveden/paid_edu"}},
			}},
			{ID: "sveden/budget", Title: "Финансово-хозяйственная деятельность", Mandated: true},
		},
		Unplaced: []mapping.Item{{SourceURL: "http://old.example/x", Kind: mapping.KindPage, Title: "Разное", Candidates: []mapping.Candidate{{Section: "other", Confidence: 0.3}}}},
		Excluded: []mapping.Item{{SourceURL: "http://old.example/gb.cgi", Kind: mapping.KindPage, Title: "Гостевая", Reason: "гостевая книга <b>не переносится</b>"}},
		Gaps:     []mapping.Gap{{Section: "sveden/budget", Why: "нет страницы"}},
	}
}

func TestHTMLEscapesLegacyContent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, NewView(&store.Org{Name: "Школа <№ 7>", State: store.Mapped}, hostilePlan())); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script>alert(1)", "<img src=x", "<b>не", "Школа <№"} {
		if strings.Contains(out, bad) {
			t.Errorf("legacy markup %q reached the page unescaped", bad)
		}
	}
	for _, want := range []string{"Платные образовательные услуги", "&lt;img src=x onerror=alert(2)&gt;Платные услуги", "адрес страницы /sveden/paid_edu", "Пусто: обязательный раздел.", "гостевая книга &lt;b&gt;не переносится&lt;/b&gt;", "sveden/budget: нет страницы"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestTextAndJSON(t *testing.T) {
	v := NewView(nil, hostilePlan())
	var buf bytes.Buffer
	if err := WriteText(&buf, v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 placed, 1 for review, 1 excluded, 1 gaps", "candidates: other 0.30", "sveden/budget: нет страницы"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back View
	if err := json.Unmarshal(data, &back); err != nil || back.Placed != 1 || len(back.Sections) != 2 || back.Sections[0].Items[0].Reasons[0] != "адрес страницы /sveden/paid_edu" {
		t.Fatalf("json round trip: %+v %v", back, err)
	}
}
