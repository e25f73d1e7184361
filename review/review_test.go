package review

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	for _, want := range []string{"Платные образовательные услуги", "&lt;img src=x onerror=alert(2)&gt;Платные услуги", "адрес страницы /sveden/paid_edu", "Пусто: обязательный раздел.", "гостевая книга &lt;b&gt;не переносится&lt;/b&gt;", "Финансово-хозяйственная деятельность: нет страницы"} {
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

// TestHTMLFoldsCopiesAndSpeaksRussian: hundreds of copies for the visually
// impaired fold into one line, and the page names no machine kinds.
func TestHTMLFoldsCopiesAndSpeaksRussian(t *testing.T) {
	p := hostilePlan()
	p.Sections[0].Items = append(p.Sections[0].Items, mapping.Item{SourceURL: "http://old.example/staff", Kind: mapping.KindRecord, DocKind: "teachingStaff", Title: "teachingStaff: Алёшина Ольга Петровна", Reasons: []string{"запись вида «teachingStaff»"}})
	for i := range 300 {
		p.Excluded = append(p.Excluded, mapping.Item{SourceURL: fmt.Sprintf("http://old.example/p%d?special=1", i), Kind: mapping.KindPage, Title: "Страница",
			Reason: fmt.Sprintf("копия страницы http://old.example/p%d (версия для печати или для слабовидящих)", i)})
	}
	p.Excluded = append(p.Excluded, mapping.Item{SourceURL: "http://old.example/#record-1-news", Kind: mapping.KindRecord, DocKind: "news", Title: "news: Версия для слабовидящих",
		Reason: "запись повторяет http://old.example/p1?special=1, которая переносится сама"})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, NewView(&store.Org{Name: "Школа", State: store.Mapped}, p)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "<tr>"); n > 20 {
		t.Errorf("%d table rows: the copies are not folded", n)
	}
	for _, want := range []string{"Копии страниц для слабовидящих и версии для печати: 300 материалов", "Педагог: Алёшина Ольга Петровна", "запись вида «педагог»",
		"школа; размещено по разделам", "Повторы записей: 1 запись", "а та тоже исключена из переноса"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"[page]", "[record]", "(school)", "состояние mapped", "teachingStaff", "news:", "которая переносится сама"} {
		if strings.Contains(out, bad) {
			t.Errorf("page shows %q", bad)
		}
	}
}
