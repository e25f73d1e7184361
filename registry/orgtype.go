package registry

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"perenos/store"
)

// typeWords are the words by which registries name organisation types,
// besides the codes (school, preschool, medical, municipal). A word is a
// stem: a word of the type cell matches when it starts with the stem and
// has at most a few letters more (an inflected ending: «школы»,
// «общеобразовательное», «поселения»), so «лицей» does not catch
// «лицензия». A phrase must appear as consecutive words. Abbreviations
// match whole words only.
var typeWords = []struct {
	t       store.OrgType
	phrases [][]string // stems
	abbrevs []string
}{
	{store.School, [][]string{{"школ"}, {"гимнази"}, {"лице"}, {"общеобразовательн"}}, []string{"сош", "оош"}},
	{store.Preschool, [][]string{{"детск", "сад"}, {"дошкольн"}}, []string{"доу"}},
	{store.Medical, [][]string{{"больниц"}, {"поликлиник"}, {"диспансер"}, {"медицинск"}}, []string{"црб"}},
	{store.Municipal, [][]string{{"администраци"}, {"муниципальн", "образовани"}, {"поселени"}}, []string{"омсу"}},
}

// stemSlack is how many letters an inflected word may have beyond its stem.
const stemSlack = 3

// parseType reads the type column: a code in any case, or Russian words
// that name exactly one type.
func parseType(raw string) (store.OrgType, error) {
	v := strings.ToLower(strings.TrimSpace(raw))
	if t, err := store.ParseOrgType(v); err == nil {
		return t, nil
	}
	words := strings.FieldsFunc(strings.ReplaceAll(v, "ё", "е"), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var found []store.OrgType
	for _, tw := range typeWords {
		if matchesType(words, tw.phrases, tw.abbrevs) {
			found = append(found, tw.t)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("unknown organisation type %q: write school, preschool, medical or municipal, or in Russian школа, детский сад, больница, администрация", raw)
	}
	names := make([]string, len(found))
	for i, t := range found {
		names[i] = string(t)
	}
	return "", fmt.Errorf("organisation type %q fits %s at once: write the one whose mandated structure the site follows", raw, strings.Join(names, " and "))
}

func matchesType(words []string, phrases [][]string, abbrevs []string) bool {
	for _, w := range words {
		// МБДОУ, МАДОУ: a preschool's legal form ends in ДОУ
		if slices.Contains(abbrevs, w) || slices.Contains(abbrevs, "доу") && strings.HasSuffix(w, "доу") && utf8.RuneCountInString(w) <= 6 {
			return true
		}
	}
	for _, p := range phrases {
		for i := 0; i+len(p) <= len(words); i++ {
			ok := true
			for j, stem := range p {
				w := words[i+j]
				if !strings.HasPrefix(w, stem) || utf8.RuneCountInString(w) > utf8.RuneCountInString(stem)+stemSlack {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}
