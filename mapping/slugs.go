package mapping

import (
	"strings"
	"unicode"
)

// Legacy sites name their pages with transliterated Russian
// (vakansii_mesta_dlya_priema.php, pitanie, osnashchenie) in whatever
// scheme their author used. To compare such a name with the profile's
// words, both are brought to one Latin skeleton: Cyrillic transliterated,
// the spellings that schemes disagree on (щ as shch, sch or shh; я as ya,
// ja or ia; й as y, j or i) folded together. Two words match when they
// share their first letters (slugPrefix, or the whole of a shorter one)
// and the slug's word is not much longer than the profile's stem: vakansii
// is вакантн(ые), pitanie is питан(ие), but sotrudnichestve is not
// сотрудник(и).

// slugPrefix is how many first letters two words' skeletons must share.
const slugPrefix = 5

// slugLonger is how much longer than a profile stem a slug's word may be
// (an ending, a suffix) and still be that word.
const slugLonger = 4

var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "h", 'ц': "c", 'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "i", 'ь': "",
	'э': "e", 'ю': "u", 'я': "a",
}

// skeletonFolds turns the Latin spellings of one Russian sound into one,
// longest first.
var skeletonFolds = strings.NewReplacer(
	"shch", "s", "shh", "s", "sch", "s", "sh", "s", "zh", "z", "kh", "h", "tch", "c", "ch", "c", "ts", "c", "tc", "c",
	"ya", "a", "ja", "a", "ia", "a", "yu", "u", "ju", "u", "iu", "u", "yo", "o", "jo", "o", "ye", "e", "je", "e",
	"y", "i", "j", "i", "w", "v", "x", "ks", "q", "k", "'", "",
)

// skeleton is a word's Latin skeleton.
func skeleton(w string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(w) {
		if t, ok := translit[r]; ok {
			b.WriteString(t)
		} else if r < 128 && unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	s := skeletonFolds.Replace(b.String())
	return strings.ReplaceAll(s, "ii", "i") // -ии, -ий, -ый
}

// sameWord reports whether a slug's word w is the profile's word stem k.
func sameWord(w, k string) bool {
	n := min(slugPrefix, len(k))
	if len(w) < n || w[:n] != k[:n] || len(w) > len(k)+slugLonger {
		return false
	}
	return true
}

// slugStopWords are function words left out of skeletons (in both alphabets).
var slugStopWords = map[string]bool{
	"i": true, "v": true, "vo": true, "na": true, "o": true, "ob": true, "po": true, "dla": true, "s": true,
	"so": true, "k": true, "iz": true, "ot": true, "do": true, "za": true, "pri": true, "a": true, "ne": true,
	"ili": true, "the": true, "of": true, "and": true,
}

// skeletons splits a text or a slug into the skeletons of its words (of
// their stems, for Russian words), leaving out function words and numbers.
func skeletons(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
	out := make([]string, 0, len(words))
	for _, w := range words {
		sk := skeleton(stemWord(w))
		if len(sk) < 2 || slugStopWords[sk] || slugStopWords[w] {
			continue
		}
		out = append(out, sk)
	}
	return out
}

// slugPhrases prepares keywords for matching against slugs: their words'
// skeletons. Phrases of one short word are left out (a three-letter
// skeleton matches too much by chance).
//
// A Latin keyword (a slug of the profile) is a whole word, not a stem: its
// ending is cut as the stemmer cuts a Russian word's (sotrudniki to
// sotrudnik), so that the allowance for endings is not spent twice.
func slugPhrases(kws []string) []phrase {
	out := make([]phrase, 0, len(kws))
	for _, k := range kws {
		sk := skeletons(k)
		if len(sk) == 0 || len(sk) == 1 && len(sk[0]) < 4 {
			continue
		}
		if isLatin(k) {
			for i, w := range sk {
				for len(w) > 4 && strings.ContainsRune("aeiou", rune(w[len(w)-1])) {
					w = w[:len(w)-1]
				}
				sk[i] = w
			}
		}
		out = append(out, phrase{k, sk})
	}
	return out
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

// matchSlug says how well the best of phrases matches a slug's words, as
// matchShort does for a title, with words compared by sameWord.
func matchSlug(words []string, ps []phrase) (int, string) {
	best, which := matchNone, ""
	for _, p := range ps {
		if len(p.stems) == 0 || len(p.stems) > len(words) {
			continue
		}
		j := 0
		for _, w := range words {
			if j < len(p.stems) && sameWord(w, p.stems[j]) {
				j++
			}
		}
		if j < len(p.stems) {
			continue
		}
		m := matchWord
		switch {
		case len(p.stems) == len(words):
			m = matchExact
		case float64(len(p.stems))/float64(len(words)) >= 0.6:
			m = matchMost
		case len(p.stems) >= 2:
			m = matchPhrase
		}
		if m > best {
			best, which = m, p.text
		}
	}
	return best, which
}
