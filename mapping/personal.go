package mapping

import (
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Personal data (152-ФЗ). Old school and hospital sites often publish what
// the law forbids publishing without consent: lists of children enrolled or
// in groups, patients, birth dates, private persons' home addresses. Such
// an item carries a flag (Item.PersonalData, with why) for the admin's
// decision; the review does not approve a site while a flagged item is
// placed without one.

var (
	// A full name: surname, name and patronymic (Иванов Пётр Сергеевич),
	// or a surname with initials (Иванов П. С., П. С. Иванов).
	fullNameRe = regexp.MustCompile(`[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|ична|инична|оглы|кызы)(?:[^а-яё]|$)|[А-ЯЁ][а-яё]{1,}\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+`)
	// The rest are matched against the lower-cased text (cheaper than
	// case folding in the regexp).
	birthRe   = regexp.MustCompile(`(дата|год|день|место)\s+рожд|(?:^|[^а-яё])г\.\s?р\.|\d{4}\s*г\.?\s*р\.|(?:^|[^а-яё])д\.\s?р\.|родил(ся|ась)`)
	childRe   = regexp.MustCompile(`зачисл|списо?к\S*\s+(детей|воспитанник|учащ|обучающ|учеников|первоклассник)|воспитанник|ребён|ребен|первоклассник|будущ\S*\s+первоклассник`)
	patientRe = regexp.MustCompile(`пациент|больн(ой|ого|ому|ым|ая|ую|ых|ые)(?:[^а-яё]|$)|диагноз|госпитализ|истори\S*\s+болезни|выписан|палат[аеуы]?(?:[^а-яё]|$)`)
	homeRe    = regexp.MustCompile(`проживающ|место\s+жительства|адрес\s+проживания|домашн\S*\s+адрес|прописк|зарегистрирован\S*\s+по\s+адресу`)
	flatRe    = regexp.MustCompile(`(?:^|[^а-яё])кв\.\s?\d+|квартира\s+\d+`)
)

// PersonalData says whether an item looks like it lists private persons'
// personal data, and why, in words for the admin. Lists of staff (names
// with posts, as the law requires schools and clinics to publish) are not
// flagged; names together with children, patients, birth dates or home
// addresses are.
func PersonalData(it *Item) (why string, flagged bool) {
	var b strings.Builder
	b.WriteString(it.Title)
	b.WriteString("\n")
	b.WriteString(it.Body)
	for _, v := range it.Fields {
		b.WriteString("\n")
		b.WriteString(v)
	}
	text := b.String()
	// The patterns run only near words they need (a patronymic's ending,
	// an initial, «рожд», «зачисл»): over a whole page they are costly,
	// and most pages have few such words.
	names := countNames(text, 3) // three say as much as more
	if names == 0 {
		return "", false
	}
	lower := lowerText(text)
	switch {
	case birthTrigger.in(lower):
		return "имена людей с датами рождения", true
	case names >= 3 && childTrigger.in(lower):
		return "похоже на список детей (воспитанников, учеников)", true
	case names >= 2 && patientTrigger.in(lower):
		return "похоже на сведения о пациентах", true
	case homeTrigger.in(lower) || names >= 2 && flatTrigger.in(lower):
		return "имена людей с домашними адресами", true
	}
	return "", false
}

// trigger is a pattern of personal data: words that alone match it, and
// words near which its regexp is run.
type trigger struct {
	direct, near []string
	re           *regexp.Regexp
}

// Around a word, how far a match of a pattern may reach, in bytes.
const nearBefore, nearAfter = 64, 96

var (
	birthTrigger   = trigger{[]string{"родился", "родилась"}, []string{"рожд", "г.р", "г. р", "гр.", "г р.", "д.р", "д. р"}, birthRe}
	childTrigger   = trigger{[]string{"зачисл", "воспитанник", "ребён", "ребен", "первоклассник"}, []string{"спис"}, childRe}
	patientTrigger = trigger{[]string{"пациент", "диагноз", "госпитализ", "выписан"}, []string{"больн", "болезни", "палат"}, patientRe}
	homeTrigger    = trigger{[]string{"проживающ", "прописк"}, []string{"жительства", "проживания", "домашн", "зарегистрирован"}, homeRe}
	flatTrigger    = trigger{nil, []string{"кв.", "квартира"}, flatRe}
)

// in reports whether the pattern matches a lower-cased text.
func (t trigger) in(lower string) bool {
	for _, w := range t.direct {
		if strings.Contains(lower, w) {
			return true
		}
	}
	var at []int
	for _, w := range t.near {
		for i := 0; ; {
			j := strings.Index(lower[i:], w)
			if j < 0 {
				break
			}
			at = append(at, i+j)
			i += j + len(w)
		}
	}
	for _, w := range windows(lower, at, nearBefore, nearAfter) {
		if t.re.MatchString(lower[w[0]:w[1]]) {
			return true
		}
	}
	return false
}

// countNames counts the full names in a text, up to limit, running the
// pattern only around what a name needs: a patronymic's ending or an
// initial (a capital Cyrillic letter and a full stop).
func countNames(text string, limit int) int {
	var at []int
	for _, e := range []string{"вич", "вна", "ична", "оглы", "кызы"} {
		for i := 0; ; {
			j := strings.Index(text[i:], e)
			if j < 0 {
				break
			}
			at = append(at, i+j)
			i += j + len(e)
		}
	}
	for i := 0; i+2 < len(text); i++ {
		// А–Я are 0xD0 0x90–0xAF in UTF-8, Ё is 0xD0 0x81
		if text[i] == 0xD0 && (text[i+1] >= 0x90 && text[i+1] <= 0xAF || text[i+1] == 0x81) && text[i+2] == '.' {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return 0
	}
	seen := map[int]bool{}
	for _, w := range windows(text, at, 2*nearBefore, nearAfter) {
		for _, m := range fullNameRe.FindAllStringIndex(text[w[0]:w[1]], -1) {
			seen[w[0]+m[0]] = true
			if len(seen) >= limit {
				return limit
			}
		}
	}
	return len(seen)
}

// windows are the stretches of text around positions, merged where they
// overlap, their ends on rune boundaries.
func windows(text string, at []int, before, after int) [][2]int {
	sort.Ints(at)
	var out [][2]int
	for _, p := range at {
		from, to := max(0, p-before), min(len(text), p+after)
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		if n := len(out); n > 0 && from <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], to)
			continue
		}
		out = append(out, [2]int{from, to})
	}
	return out
}

// PersonalItem is a placed or unplaced item that looks like personal data.
type PersonalItem struct {
	Item    Item
	Why     string
	Decided bool // a person moved, kept or excluded it
	Placed  bool // it would be uploaded as the plan stands
}

// PersonalItems lists the plan's items that look like personal data, with
// whether a person has decided on each. Excluded items are not listed:
// they are not uploaded. Only a person's decision counts: an automatic
// approval's placement (an override with a Note) does not, and an edit of
// the text alone does not either (what the edit left is checked again).
func PersonalItems(p *Plan, ovs []Override) []PersonalItem {
	decided := map[string]bool{}
	for _, o := range ovs {
		if o.Exclude != "" || o.Section != "" && o.Note == "" {
			decided[o.Key] = true
		}
	}
	var out []PersonalItem
	add := func(it Item, placed bool) {
		if why, ok := PersonalData(&it); ok {
			out = append(out, PersonalItem{Item: it, Why: why, Decided: decided[it.Key], Placed: placed})
		}
	}
	for _, s := range p.Sections {
		for _, it := range s.Items {
			add(it, true)
		}
	}
	for _, it := range p.Unplaced {
		add(it, false)
	}
	return out
}

// UndecidedPersonalData lists the items that would be uploaded although
// they look like personal data and no person decided on them. A site is
// not approved while this is not empty, in the review UI or by perenos
// approve alike.
func UndecidedPersonalData(p *Plan, ovs []Override) []PersonalItem {
	var out []PersonalItem
	for _, pi := range PersonalItems(p, ovs) {
		if pi.Placed && !pi.Decided {
			out = append(out, pi)
		}
	}
	return out
}

// PersonalExclusions are the decisions that exclude every item that looks
// like personal data and that no person decided on, placed or left for
// review, with why in the reason: what an approval without review does
// when it is told to leave such items out (perenos approve
// --exclude-personal-data).
func PersonalExclusions(p *Plan, ovs []Override, actor, note string, now time.Time) []Override {
	var out []Override
	for _, pi := range PersonalItems(p, ovs) {
		if pi.Decided {
			continue
		}
		out = append(out, Override{Key: pi.Item.Key, Exclude: "похоже на персональные данные (" + pi.Why + "), не перенесено без решения администратора", Note: note, SourceHash: pi.Item.SourceHash, Actor: actor, At: now})
	}
	return out
}
