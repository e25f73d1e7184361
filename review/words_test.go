package review

import (
	"testing"

	"perenos/mapping"
)

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0 сайтов"}, {1, "1 сайт"}, {2, "2 сайта"}, {4, "4 сайта"}, {5, "5 сайтов"}, {11, "11 сайтов"}, {12, "12 сайтов"},
		{14, "14 сайтов"}, {21, "21 сайт"}, {22, "22 сайта"}, {25, "25 сайтов"}, {101, "101 сайт"}, {111, "111 сайтов"}, {1000, "1000 сайтов"}, {-1, "-1 сайт"},
	} {
		if got := Count(tc.n, "сайт", "сайта", "сайтов"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := Count(2, "файл", "файла", "файлов"); got != "2 файла" {
		t.Errorf("2 файла: %q", got)
	}
}

func TestLabelNamesNoMachineKinds(t *testing.T) {
	for _, tc := range []struct {
		it   mapping.Item
		want string
	}{
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "teachingStaff", Title: "teachingStaff: Алёшина Ольга Петровна"}, "Педагог: Алёшина Ольга Петровна"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "sveden", Title: "sveden"}, "Основные сведения"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "news", Title: "news: Контакты"}, "Новость: Контакты"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "volume", Title: "volume"}, "Объём образовательной деятельности"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "somethingNew", Title: "somethingNew: Значение"}, "Сведения: Значение"},
		{mapping.Item{Kind: mapping.KindPage, Title: "История школы"}, "История школы"},
		{mapping.Item{Kind: mapping.KindDocument, FileName: "устав.pdf"}, "устав.pdf"},
	} {
		if got := Label(&tc.it); got != tc.want {
			t.Errorf("Label(%q) = %q, want %q", tc.it.Title, got, tc.want)
		}
	}
	if got := Reason("запись вида «contact»; запись со страницы /x"); got != "запись вида «контакты»; запись со страницы /x" {
		t.Errorf("reason: %q", got)
	}
	if got := Reason("запись вида «zzz»"); got != "запись" {
		t.Errorf("reason with an unknown kind: %q", got)
	}
}

func TestActor(t *testing.T) {
	for in, want := range map[string]string{
		"operator:анна":                      "оператор анна",
		"admin:3801000007 (приглашение abc)": "администратор организации (приглашение abc)",
		"admin:3801000007":                   "администратор организации",
		"perenos crawl":                      "perenos crawl",
		"operator":                           "оператор",
	} {
		if got := Actor(in); got != want {
			t.Errorf("Actor(%q) = %q, want %q", in, got, want)
		}
	}
}
