package mapping

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/russian"
)

// stems turns Russian (or mixed) text into the sequence of its word stems:
// lower case, ё folded to е, each word reduced by the Snowball Russian
// stemmer, so that «учителя», «учителей» and «учитель» compare equal.
func stems(s string) []string {
	words := splitWords(s)
	for i, w := range words {
		words[i] = stemWord(w)
	}
	return words
}

// splitWords lower-cases a text, folds ё to е and splits it into words.
// It is one pass over s (lower-casing, folding and splitting as
// strings.ToLower, strings.ReplaceAll and strings.FieldsFunc with
// unicode.IsLetter and unicode.IsDigit would), and the words share one
// allocation.
func splitWords(s string) []string {
	buf := make([]byte, 0, len(s))
	var ends []int
	in := false
	for i := 0; i < len(s); {
		var r rune
		if c := s[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else if (c == 0xD0 || c == 0xD1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80 { // Cyrillic
			r = rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
			i += 2
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(s[i:])
			i += n
		}
		r = lowerRune(r)
		if r == 'ё' {
			r = 'е'
		}
		if !wordRune(r) {
			if in {
				ends, in = append(ends, len(buf)), false
			}
			continue
		}
		in = true
		if r < utf8.RuneSelf {
			buf = append(buf, byte(r))
		} else if r < 0x800 {
			buf = append(buf, byte(0xC0|r>>6), byte(0x80|r&0x3F))
		} else {
			buf = utf8.AppendRune(buf, r)
		}
	}
	if in {
		ends = append(ends, len(buf))
	}
	if len(ends) == 0 {
		return nil
	}
	all := string(buf)
	words := make([]string, len(ends))
	start := 0
	for k, end := range ends {
		words[k], start = all[start:end], end
	}
	return words
}

// stemmer is stems with a memory of each word's stem: a site's pages
// repeat their words, and the Snowball stemmer is the costliest step of
// mapping. One stemmer serves one site's plan.
type stemmer map[string]string

func (m stemmer) word(w string) string {
	if st, ok := m[w]; ok {
		return st
	}
	st := stemWord(w)
	m[w] = st
	return st
}

func (m stemmer) stems(s string) []string {
	words := splitWords(s)
	for i, w := range words {
		words[i] = m.word(w)
	}
	return words
}

// bodyIndex finds the sections' phrases in a long text in one pass: the
// phrases by their first stem. Single words are left out when their
// section has other phrases (single words in body text say little).
type bodyIndex map[string][]bodyPhrase

type bodyPhrase struct {
	section string
	p       phrase
}

func newBodyIndex(phrases map[string][]phrase) bodyIndex {
	x := bodyIndex{}
	for sec, ps := range phrases {
		seen := map[string]bool{} // «учебный план» and «учебные планы» are one phrase
		for _, p := range ps {
			k := strings.Join(p.stems, " ")
			if len(p.stems) == 0 || len(p.stems) < 2 && len(ps) > 1 || seen[k] {
				continue
			}
			seen[k] = true
			x[p.stems[0]] = append(x[p.stems[0]], bodyPhrase{sec, p})
		}
	}
	return x
}

// find returns, per section, the distinct phrases of it that occur in text.
func (x bodyIndex) find(text []string) map[string][]string {
	out := map[string][]string{}
	for i, w := range text {
		for _, bp := range x[w] {
			if i+len(bp.p.stems) > len(text) || slices.Contains(out[bp.section], bp.p.text) {
				continue
			}
			ok := true
			for j := 1; j < len(bp.p.stems) && ok; j++ {
				ok = text[i+j] == bp.p.stems[j]
			}
			if ok {
				out[bp.section] = append(out[bp.section], bp.p.text)
			}
		}
	}
	return out
}

func stemWord(w string) string {
	if w == "" {
		return w
	}
	for _, r := range w {
		if r < 'а' || r > 'я' {
			return w // Latin words, numbers and mixed spellings stay as they are
		}
	}
	if st := russian.Stem(w, true); st != "" {
		if a, ok := fleeting[st]; ok {
			return a
		}
		return st
	}
	return w
}

// fleeting joins the stems of words whose vowel drops in their other forms
// (порядок, порядка, порядке: «порядок» and «порядк»), so that «Положение
// о порядке госпитализации» holds the phrase «порядок госпитализации».
var fleeting = map[string]string{"порядк": "порядок", "перечн": "перечен", "списк": "список"}

// stopWords are the function words left out when judging how much of a
// title a phrase covers.
var stopWords = map[string]bool{
	"и": true, "в": true, "во": true, "на": true, "о": true, "об": true, "по": true, "для": true, "с": true,
	"со": true, "к": true, "из": true, "от": true, "до": true, "за": true, "при": true, "а": true, "не": true,
	"или": true, "наш": true, "ваш": true,
}

// subjectHead is the first content word of a name after the words that
// say what kind of text it is and for whom: «аттестация» in «Положение
// об аттестации педагогических работников», «сроки» in «Порядок, условия
// и сроки…», «гарантии» in «Памятка для граждан о гарантиях…».
func subjectHead(text []string) string {
	kind := false // the words so far say what kind of text it is
	for i := 0; i < len(text); i++ {
		w := text[i]
		if w == "для" {
			i++ // «Памятка для граждан о гарантиях…»: whom it is for, then what it is about
			continue
		}
		if kind && audienceStems[w] {
			continue // «Памятка населению о действиях при ЧС»: the same, without «для»
		}
		if !stopWords[w] && !kindHeads[w] && !genericHeads[w] {
			return w
		}
		kind = kind || kindHeads[w]
	}
	return ""
}

// audienceStems are the people a kind of text may be addressed to right
// after its kind («Памятка населению», «Информация гражданам»).
var audienceStems = map[string]bool{"населен": true, "граждан": true, "родител": true, "пациент": true, "жител": true}

// subjectWords counts the content words of a name from its subject head
// on (subjectHead), leaving out the words that say what kind of text it
// is: «Порядок проведения диспансеризации» has one.
func subjectWords(text []string) int {
	n, on := 0, false
	for i := 0; i < len(text); i++ {
		w := text[i]
		if !on && w == "для" {
			i++
			continue
		}
		if stopWords[w] || !on && (kindHeads[w] || genericHeads[w]) {
			continue
		}
		on = true
		n++
	}
	return max(n, 1)
}

// kindHeads are first words of a name that say what kind of text
// follows, so that the rest of the name is its subject.
var kindHeads = map[string]bool{"информац": true, "сведен": true, "порядок": true, "порядк": true, "положен": true, "правил": true,
	"памятк": true, "перечен": true, "перечн": true, "список": true, "списк": true}

// ownStems are the stems of the words an organisation names itself by
// («школы», «детского сада», «МБОУ СОШ», «поликлиники»): in a title after
// a section's name they say whose it is, not what it is.
var ownStems = map[string]bool{
	"школ": true, "гимназ": true, "лице": true, "детск": true, "сад": true, "учрежден": true, "мбо": true, "мбдо": true,
	"мао": true, "мадо": true, "сош": true, "оош": true, "дшы": true, "колледж": true, "техникум": true,
	"больниц": true, "поликлиник": true, "клиник": true, "гбуз": true, "цгб": true, "црб": true, "администрац": true,
}

// ownWords counts the words of a name that are the organisation's own
// (ownStems, and numbers, «№ 5»), when the name has other content words
// too (none otherwise: «Школа» alone is a name of its own).
func ownWords(ws []string) int {
	own, other := 0, 0
	for _, w := range ws {
		switch {
		case stopWords[w]:
		case ownStems[w] || strings.Trim(w, "0123456789") == "":
			own++
		default:
			other++
		}
	}
	if other == 0 {
		return 0
	}
	return own
}

// contentWords counts the words of a stem sequence that are not function words.
func contentWords(ws []string) int {
	n := 0
	for _, w := range ws {
		if !stopWords[w] {
			n++
		}
	}
	return n
}

// numbered reports whether words begin with a number or «от» and a date:
// what follows the kind of an act in its name.
func numbered(ws []string) bool {
	if len(ws) > 1 && ws[0] == "от" {
		ws = ws[1:]
	}
	if len(ws) == 0 || ws[0] == "" {
		return false
	}
	for _, r := range ws[0] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// phrase is a keyword prepared for matching.
type phrase struct {
	text  string   // as written in the profile
	stems []string // its stems
}

func newPhrases(kws []string) []phrase {
	out := make([]phrase, 0, len(kws))
	for _, k := range kws {
		if st := stems(k); len(st) > 0 {
			out = append(out, phrase{k, st})
		}
	}
	return out
}

// index returns where seq occurs in text as consecutive words, or -1.
func index(text, seq []string) int {
	if len(seq) == 0 || len(seq) > len(text) {
		return -1
	}
outer:
	for i := 0; i+len(seq) <= len(text); i++ {
		for j := range seq {
			if text[i+j] != seq[j] {
				continue outer
			}
		}
		return i
	}
	return -1
}

// subsequence reports whether seq's words occur in text in order, not
// necessarily next to each other («Педагогический (научно-педагогический)
// состав» has «педагогический состав»).
func subsequence(text, seq []string) bool {
	if len(seq) == 0 {
		return false
	}
	j := 0
	for _, w := range text {
		if w == seq[j] {
			j++
			if j == len(seq) {
				return true
			}
		}
	}
	return false
}

// Match strengths of a phrase against a short text (a title, a menu item).
const (
	matchNone   = iota
	matchWord   // a one-word phrase inside a longer text
	matchPhrase // a phrase of two or more words inside a longer text
	matchMost   // a phrase covering most of the text
	matchExact  // the text is the phrase
)

// matchShort says how well the best of phrases matches a short text, and which.
//
// A phrase covering most of a text counts as most of it only when it
// holds the text's first word: a Russian name puts its head first, and
// «Аттестация педагогических работников» is about attestation, its
// uncovered head, not about «педагогические работники».
func matchShort(text []string, ps []phrase) (int, string) {
	best, which := matchNone, ""
	n := contentWords(text)
	head := ""
	for _, w := range text {
		if !stopWords[w] {
			head = w
			break
		}
	}
	rest := subjectWords(text)
	own := ownWords(text)
	covered := map[string]bool{} // the text's content words the matching phrases hold, together
	for _, p := range ps {
		if subsequence(text, p.stems) {
			for _, w := range p.stems {
				if !stopWords[w] {
					covered[w] = true
				}
			}
		}
	}
	for _, p := range ps {
		if !subsequence(text, p.stems) {
			continue
		}
		m := matchWord
		pc := contentWords(p.stems)
		switch {
		case pc == n:
			m = matchExact
		case pc >= 1 && float64(pc)/float64(n) >= 0.6 && slices.Contains(p.stems, head):
			m = matchMost
		case own > 0 && pc == n-own && ownWords(p.stems) == 0:
			// «Галерея школы», «Новости МБОУ СОШ № 5»: the section's name
			// and the organisation's own words, which name no section.
			m = matchMost
		case kindHeads[head] && !covered[head] && covered[subjectHead(text)] && (pc >= 2 && float64(len(covered))/float64(rest) >= 0.6 || len(covered) >= rest):
			// «Информация о платных услугах», «Порядок, условия и сроки
			// ожидания медицинской помощи по территориальной программе
			// госгарантий»: the head says what kind of text it is, the
			// section's phrases name most of what it is about.
			m = matchMost
		case pc == 1 && p.stems[0] == head && !genericHeads[head] && numbered(text[slices.Index(text, head)+1:]):
			// «Решение № 43 о …», «Постановление от 03.06.2025 № 117 …»: a
			// kind of act with its number or date is the act itself,
			// whatever it is about.
			m = matchMost
		case pc >= 2:
			m = matchPhrase
		}
		if m > best {
			best, which = m, p.text
		}
	}
	return best, which
}
