package extract

import (
	"strings"
	"testing"
)

func TestMarkdownLinksImagesFrames(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		notWant  []string
	}{
		{
			name:    "script links lose their target, keep their text",
			in:      `<p><a href="javascript:alert(1)">Записаться</a> и <a href=" JaVaScRiPt:alert(2)">позвонить</a></p>`,
			want:    []string{"Записаться", "позвонить"},
			notWant: []string{"javascript", "JaVaScRiPt", "]("},
		},
		{
			name:    "relative attachment resolved against the page",
			in:      `<p><a href="../files/Положение о приёме.pdf">Положение о приёме</a></p>`,
			want:    []string{"[Положение о приёме](http://school.example/files/"},
			notWant: []string{"../files"},
		},
		{
			name:    "data image becomes its alt text",
			in:      `<p><img src="data:image/png;base64,AAAA" alt="Герб района"> <img src="/img/logo.png" alt="Логотип школы"></p>`,
			want:    []string{"Герб района", "![Логотип школы](http://school.example/img/logo.png)"},
			notWant: []string{"data:image"},
		},
		{
			name:    "map iframe kept as a link, script iframe dropped",
			in:      `<iframe src="https://yandex.ru/map-widget/v1/?um=constructor" title="Схема проезда"></iframe><iframe src="javascript:alert(3)"></iframe>`,
			want:    []string{"[Схема проезда](https://yandex.ru/map-widget/v1/?um=constructor)"},
			notWant: []string{"alert"},
		},
		{
			name: "mail and phone links stay",
			in:   `<p><a href="mailto:school7@example.ru">school7@example.ru</a>, <a href="tel:+73952112233">8 (3952) 11-22-33</a></p>`,
			want: []string{"(mailto:school7@example.ru)", "(tel:+73952112233)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse("<html><body>" + tc.in + "</body></html>")
			if err != nil {
				t.Fatal(err)
			}
			md, err := Markdown(selBody.MatchFirst(doc), "http://school.example/sveden/page.html")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(md, w) {
					t.Errorf("missing %q in:\n%s", w, md)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(md, w) {
					t.Errorf("unwanted %q in:\n%s", w, md)
				}
			}
		})
	}
}
