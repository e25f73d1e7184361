package report

import (
	"fmt"
	"strings"
	"time"

	"perenos/store"
)

// typeNames are organisation types as an act names them.
var typeNames = map[store.OrgType]string{
	store.School:    "общеобразовательная организация",
	store.Preschool: "дошкольная образовательная организация",
	store.Medical:   "медицинская организация",
	store.Municipal: "орган местного самоуправления",
}

// typePlurals are organisation types as report headings name them.
var typePlurals = map[store.OrgType]string{
	store.School:    "школы",
	store.Preschool: "детские сады",
	store.Medical:   "медицинские организации",
	store.Municipal: "органы местного самоуправления",
}

// TypeName is the Russian name of an organisation type, as acts print it.
func TypeName(t store.OrgType) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return string(t)
}

func typePlural(t store.OrgType) string {
	if n, ok := typePlurals[t]; ok {
		return n
	}
	return string(t)
}

// stateNames are the pipeline's states as reports name them.
var stateNames = map[store.State]string{
	store.Registered: "зарегистрировано",
	store.Crawled:    "старый сайт обойдён",
	store.Extracted:  "содержимое извлечено",
	store.Mapped:     "распределено по разделам",
	store.InReview:   "на проверке у организации",
	store.Approved:   "одобрено",
	store.Uploaded:   "загружено на портал",
	store.Verified:   "проверено на портале",
	store.ActIssued:  "акт выдан",
	store.ActSigned:  "акт подписан",
	store.Failed:     "ошибка",
}

// StateName is the Russian name of a state, as reports print it.
func StateName(s store.State) string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return string(s)
}

// reportStates are the states in report order: the pipeline, then failed.
func reportStates() []store.State {
	return append(append([]store.State(nil), store.Pipeline...), store.Failed)
}

var monthsGenitive = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}

// longDate writes a date the way Russian official papers do: «12» ноября 2023 г.
func longDate(t time.Time) string {
	return fmt.Sprintf("«%02d» %s %d г.", t.Day(), monthsGenitive[t.Month()-1], t.Year())
}

// shortDate writes a date as 12.11.2023.
func shortDate(t time.Time) string { return t.Format("02.01.2006") }

// plural picks the Russian plural form for n: one (1, 21), few (2-4, 22-24), many.
func plural(n int, one, few, many string) string {
	n10, n100 := n%10, n%100
	switch {
	case n10 == 1 && n100 != 11:
		return one
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return few
	}
	return many
}

// countOf writes "3 документа", "1 документ", "5 документов".
func countOf(n int, one, few, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, few, many))
}

// CountOf writes n with the Russian plural form of a word: CountOf(3,
// "документ", "документа", "документов") is "3 документа".
func CountOf(n int, one, few, many string) string { return countOf(n, one, few, many) }

// capitalize upper-cases the first letter.
func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
