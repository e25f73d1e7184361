package registry

import (
	"strings"
	"testing"

	"perenos/store"
)

func TestParseType(t *testing.T) {
	cases := []struct {
		in   string
		want store.OrgType // "" means refused
	}{
		{"school", store.School},
		{"SCHOOL", store.School},
		{"школа", store.School},
		{"Средняя школа", store.School},
		{"СОШ", store.School},
		{"МБОУ СОШ", store.School},
		{"ООШ", store.School},
		{"гимназия", store.School},
		{"Лицей", store.School},
		{"общеобразовательная организация", store.School},
		{"Общеобразовательное учреждение", store.School},
		{"детский сад", store.Preschool},
		{"Детский сад комбинированного вида", store.Preschool},
		{"ДОУ", store.Preschool},
		{"МБДОУ", store.Preschool},
		{"дошкольная образовательная организация", store.Preschool},
		{"больница", store.Medical},
		{"поликлиника", store.Medical},
		{"ЦРБ", store.Medical},
		{"диспансер", store.Medical},
		{"медицинская организация", store.Medical},
		{"администрация", store.Municipal},
		{"ОМСУ", store.Municipal},
		{"муниципальное образование", store.Municipal},
		{"сельское поселение", store.Municipal},
		{"Администрация городского поселения", store.Municipal},
		{"hospital", ""},
		{"лицензия", ""}, // not «лицей»
		{"муниципальное бюджетное учреждение", ""}, // «муниципальное» alone is no type
		{"начальная школа — детский сад", ""},      // two types
		{"", ""},
	}
	for _, c := range cases {
		got, err := parseType(c.in)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("parseType(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestHeaderNames(t *testing.T) {
	cases := []struct {
		header []string
		want   map[string]int // column → index
		err    string
	}{
		{header: []string{"ИНН", "наименование", "ТИП", "Регион", "Район", "Сайт", "Портал"},
			want: map[string]int{"id": 0, "name": 1, "type": 2, "region": 3, "district": 4, "legacy_url": 5, "portal_site": 6}},
		{header: []string{" Код ", "Название:", "Вид*", "СУБЪЕКТ", "Муниципальное\u00a0образование", "Старый  сайт", "Сайт на портале"},
			want: map[string]int{"id": 0, "name": 1, "type": 2, "region": 3, "district": 4, "legacy_url": 5, "portal_site": 6}},
		{header: []string{"ОГРН", "ИНН", "Организация", "Тип", "Регион", "Округ", "Адрес сайта", "Сайт на портале", "Сайт"},
			want: map[string]int{"id": 1, "огрн": 0, "name": 2, "district": 5, "legacy_url": 6, "сайт": 8, "portal_site": 7}},
		{header: []string{"id", "name", "name", "type"}, err: `names "name" twice (columns B and C)`},
		{header: []string{"ИНН", "Наименование"}, err: "lacks column(s) type (тип, вид)"},
		{header: []string{"id", "na\x1bme"}, err: "header, column B: holds an escape character"},
	}
	for _, c := range cases {
		cols, err := readHeader(c.header)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err = %v, want %q", c.header, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.header, err)
			continue
		}
		for k, i := range c.want {
			if j, ok := cols.index[k]; !ok || j != i {
				t.Errorf("%q: %s at %d (%v), want %d", c.header, k, j, ok, i)
			}
		}
	}
	if got := headerKey("  НАИМЕНОВАНИЕ\tорганизации  "); got != "наименование организации" {
		t.Errorf("headerKey folds case and spaces: %q", got)
	}
	if headerKey("Ёлка") != headerKey("елка") {
		t.Errorf("headerKey must fold ё")
	}
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 16383: "XFD"} {
		if got := columnLetter(i); got != want {
			t.Errorf("columnLetter(%d) = %q, want %q", i, got, want)
		}
	}
}
