package mapping

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"perenos/extract"
	"perenos/store"
)

// docKindWords is a document kind prepared for matching: its words as
// tokens (for titles and text) and as Latin skeletons (for file names).
type docKindWords struct {
	kind  string
	words []string // as written in documents.yaml
	stems [][]token
	skel  [][]string
}

// token is a word of a text: its stem, and the word itself where the stem
// is too short to tell words apart (меню and меня are both «мен»): a
// phrase's token with exact set matches only that word.
type token struct {
	stem, word string
	exact      bool
}

// shortStem is the length under which a stem is compared as the whole word.
const shortStem = 4

// tokens splits a text into tokens.
func (m stemmer) tokens(s string) []token {
	words := splitWords(s)
	out := make([]token, len(words))
	for i, w := range words {
		out[i] = token{stem: m.word(w), word: w}
	}
	return out
}

// same reports whether a text's token is a phrase's.
func (t token) same(p token) bool {
	if p.exact {
		return t.word == p.word
	}
	return t.stem == p.stem
}

func newDocKindWords(k DocumentKind) docKindWords {
	out := docKindWords{kind: k.Kind, words: k.Words}
	for _, w := range k.Words {
		if st := (stemmer{}).tokens(w); len(st) > 0 {
			for i := range st {
				st[i].exact = utf8.RuneCountInString(st[i].stem) < shortStem && st[i].stem != st[i].word
			}
			out.stems = append(out.stems, st)
		}
		if sk := skeletons(w); len(sk) > 0 {
			out.skel = append(out.skel, sk)
		}
	}
	return out
}

func (p *Profile) hasKind(k string) bool {
	return slices.ContainsFunc(p.Kinds, func(w docKindWords) bool { return w.kind == k })
}

// kindOf tells a document's kind from what names it: its link text and
// its file name first, the first words of its text only when those say
// nothing. Of the kinds found, the one named earliest wins (a contract
// «… на основании лицензии» is a contract); from says which was read.
func (p *Profile) kindOf(st stemmer, title, file, text string) (kind, from string) {
	if k := p.kindInText(st.tokens(title)); k != "" {
		return k, "по названию"
	}
	if k := p.kindInFile(st, file); k != "" {
		return k, "по имени файла"
	}
	if k := p.kindInTitlePage(st, text); k != "" {
		return k, "по тексту документа"
	}
	return "", ""
}

// localAct is the kind of an organisation's own normative acts.
const localAct = "локальный акт"

// localActHeads are the words a title of an organisation's own act begins
// with: «Положение о дошкольной группе», «Порядок приобретения
// аттестатов», «Правила пользования библиотекой» (words, not stems: the
// stem of «правила» is that of «права»).
var localActHeads = map[string]bool{"положение": true, "порядок": true, "правила": true}

// localActTitle reports whether a title is a local act by its first
// word, where the profile has a section for local acts: for a document
// whose kind and title name no section («Положение о дошкольной группе»),
// since one that names its subject's section goes there («Положение об
// организации питания»).
func (p *Profile) localActTitle(ts []token) bool {
	return len(ts) >= 2 && localActHeads[ts[0].word] && len(p.sectionsOfKind(localAct)) > 0
}

// titleLines is how many lines of a document's text may hold its title.
const titleLines = 15

// kindInTitlePage reads a document's kind from its title page: a line
// among the first that begins (within its first words) with the kind's
// words, the next line joined for titles written on two («ПОЛОЖЕНИЕ» /
// «о языке образования»). A kind merely mentioned further into a
// sentence («… по образовательным программам …») is not the document's.
func (p *Profile) kindInTitlePage(sm stemmer, text string) string {
	var all []token
	var starts []int
	for _, l := range strings.Split(text, "\n") {
		if st := sm.tokens(l); len(st) > 0 {
			starts = append(starts, len(all))
			all = append(all, st...)
			if len(starts) > titleLines {
				break
			}
		}
	}
	ms := p.kindsAt(all)
	for _, from := range starts {
		lead := from
		for lead < len(all) && leadWord(all[lead].stem) {
			lead++
		}
		for i := from; i <= lead && i < len(all); i++ {
			if ms[i].kind != "" {
				return ms[i].kind
			}
		}
	}
	return ""
}

// kindInText returns the kind whose words occur first in a token
// sequence, leaving out the acts a document cites rather than is
// («УТВЕРЖДЁН постановлением …», «на основании лицензии», «в
// соответствии с уставом»).
func (p *Profile) kindInText(st []token) string {
	for _, m := range p.kindsAt(st) {
		if m.kind != "" {
			return m.kind
		}
	}
	return ""
}

// kindMatch is the longest kind whose words begin at a position.
type kindMatch struct {
	kind   string
	length int
}

// kindsAt finds, for every position of st, the longest kind whose words
// begin there and are not cited, looking phrases up by their first word.
func (p *Profile) kindsAt(st []token) []kindMatch {
	out := make([]kindMatch, len(st))
	for i, t := range st {
		for _, phs := range [2][]kindPhrase{p.kindIndex.byStem[t.stem], p.kindIndex.byWord[t.word]} {
			for _, ph := range phs {
				if len(ph.words) <= out[i].length || i+len(ph.words) > len(st) {
					continue
				}
				ok := true
				for j := 1; j < len(ph.words) && ok; j++ {
					ok = st[i+j].same(ph.words[j])
				}
				if ok && !cited(st, i) {
					out[i] = kindMatch{ph.kind, len(ph.words)}
				}
			}
		}
	}
	return out
}

// kindPhrase is one phrase of a kind, for the index by first word.
type kindPhrase struct {
	kind  string
	words []token
}

// kindIndex finds the kinds' phrases by their first word: its stem, or
// the word itself for a short stem compared as a whole word.
type kindIndex struct {
	byStem, byWord map[string][]kindPhrase
}

func indexKinds(kinds []docKindWords) kindIndex {
	out := kindIndex{map[string][]kindPhrase{}, map[string][]kindPhrase{}}
	for _, k := range kinds {
		for _, ws := range k.stems {
			if ws[0].exact {
				out.byWord[ws[0].word] = append(out.byWord[ws[0].word], kindPhrase{k.kind, ws})
			} else {
				out.byStem[ws[0].stem] = append(out.byStem[ws[0].stem], kindPhrase{k.kind, ws})
			}
		}
	}
	return out
}

// citing are the stems of words that introduce an act a document cites.
var citing = []string{"утвержд", "утвержден", "утверд", "соглас", "принят", "основан", "соответств", "согласн"}

// cited reports whether the words at i are cited: the word before them
// (function words aside) introduces a citation. The verbal noun does not
// («Приказ об утверждении стоимости обучения» is about the price, as
// «Положение о согласовании…» is about its subject): only a participle
// or a preposition (утверждён, утверждённый, согласно, на основании)
// cites.
func cited(st []token, i int) bool {
	j := i - 1
	for j >= 0 && stopWords[st[j].stem] {
		j--
	}
	if j < 0 || verbalNoun(st[j].word) {
		return false
	}
	for _, c := range citing {
		if strings.HasPrefix(st[j].stem, c) {
			return true
		}
	}
	return false
}

// verbalNoun reports whether a word is a verbal noun in -ние/-тие
// (утверждение, принятии, согласования), by its ending.
func verbalNoun(w string) bool {
	for _, e := range []string{"ние", "ния", "нии", "нию", "нием", "тие", "тия", "тии", "тию", "тием"} {
		if strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// leadWords are the stems a title line may begin with before the words
// of its kind («Положение о языке образования», «Приказ об утверждении
// учебного плана»).
var leadWords = []string{"положен", "приказ", "отчет", "план", "порядок", "правил", "утвержд", "об", "о", "по", "на"}

func leadWord(stem string) bool { return slices.Contains(leadWords, stem) }

// kindInFile reads a file name in any transliteration (ustav.pdf,
// plan_fhd_2015.pdf, Устав школы.pdf).
func (p *Profile) kindInFile(st stemmer, name string) string {
	name = strings.TrimSuffix(name, path.Ext(name))
	if k := p.kindInText(st.tokens(strings.NewReplacer("_", " ", "-", " ", ".", " ").Replace(name))); k != "" {
		return k
	}
	words := skeletons(name)
	best, at, length := "", len(words)+1, 0
	for _, k := range p.Kinds {
		for _, ws := range k.skel {
			if i := indexSlug(words, ws); i >= 0 && (i < at || i == at && len(ws) > length) {
				best, at, length = k.kind, i, len(ws)
			}
		}
	}
	return best
}

// indexSlug returns where seq's words occur in words as consecutive
// words, compared by sameWord, or -1.
func indexSlug(words, seq []string) int {
outer:
	for i := 0; i+len(seq) <= len(words); i++ {
		for j := range seq {
			if !sameWord(words[i+j], seq[j]) {
				continue outer
			}
		}
		return i
	}
	return -1
}

// sectionsOfKind lists the sections a document kind belongs in.
func (p *Profile) sectionsOfKind(kind string) []string {
	var out []string
	for _, s := range p.Sections {
		if slices.Contains(s.DocKinds, kind) || slices.ContainsFunc(s.Items, func(mi MandatedItem) bool { return mi.DocKind == kind }) {
			out = append(out, s.ID)
		}
	}
	return out
}

// Document weights: what the document itself says outweighs the page it
// is linked from, which counts only when the document says nothing.
const (
	wDocKind        = 0.85
	wDocTitleExact  = 0.7  // a document titled with a section's name («Отчёт о финансово-хозяйственной деятельности»)
	wDocTitlePhrase = 0.6  // ... that holds a section's phrase («Приказ об организации горячего питания»)
	wDocLocalAct    = 0.75 // a title that begins «Положение о…», «Порядок…», «Правила…» and names no section
	wDocPage        = 0.7  // the linking page's section, when the document says nothing
	wDocPageContext = 0.3  // ... when it does: a tie-breaker
)

// classifyDocument places a file by what it is (its kind, told by its link
// text, file name or text, and the words of its title), and by the page
// that links it only when the document itself says nothing.
func (c *classifier) classifyDocument(p *store.Page, it Item, kindFrom string, placedAt map[string]string) []Candidate {
	var sigs []signal
	if it.DocKind != "" {
		for _, sec := range c.prof.sectionsOfKind(it.DocKind) {
			sigs = append(sigs, own(sec, wDocKind, evDocs, fmt.Sprintf("вид документа: %s (%s)", it.DocKind, kindFrom)))
		}
	}
	text := c.st.stems(it.Title)
	for _, s := range c.secs {
		if s.ID == HomeSection || s.ID == OtherSection {
			continue
		}
		m, _ := matchShort(text, c.phrases[s.ID])
		if m == matchPhrase && headOutside(it.Title, text, c.phrases[s.ID]) {
			continue // «Положение об аттестации педагогических работников» is about attestation
		}
		switch m {
		case matchExact, matchMost:
			sigs = append(sigs, own(s.ID, wDocTitleExact, evTitle, fmt.Sprintf("название документа «%s»", it.Title)))
		case matchPhrase:
			sigs = append(sigs, own(s.ID, wDocTitlePhrase, evTitle, fmt.Sprintf("название документа «%s»", it.Title)))
		}
	}
	for _, r := range p.Referrers {
		sec, ok := placedAt[stripFragment(r.URL)]
		if !ok {
			continue
		}
		if len(sigs) == 0 && (sec == c.prof.Root.ID || sec == OtherSection || sec == HomeSection) && c.prof.localActTitle(c.st.tokens(it.Title)) {
			// listed on «Сведения» itself, or outside it: what a page of a
			// subsection lists is that subsection's («Положение о
			// наблюдательном совете» on the structure page)
			for _, ls := range c.prof.sectionsOfKind(localAct) {
				sigs = append(sigs, own(ls, wDocLocalAct, evDocs, fmt.Sprintf("«%s»: положение, порядок или правила организации — локальный акт", it.Title)))
			}
		}
		w, why := wDocPage, fmt.Sprintf("файл по ссылке «%s» со страницы %s: сам документ о своём разделе не говорит", r.Anchor, shown(r.URL))
		if len(sigs) > 0 {
			w, why = wDocPageContext, fmt.Sprintf("файл по ссылке «%s» со страницы %s", r.Anchor, shown(r.URL))
		}
		sigs = append(sigs, around(sec, w, why))
		break
	}
	return combine(sigs)
}

// genericAnchors are link texts that do not name the document.
var genericAnchors = map[string]bool{"скачать": true, "подробнее": true, "здесь": true, "тут": true, "ссылка": true, "файл": true,
	"открыть": true, "смотреть": true, "просмотреть": true, "читать": true, "далее": true, "download": true, "pdf": true, "doc": true,
	"docx": true, "sitemap": true, "перейти": true, "ознакомиться": true, "посмотреть": true, "загрузить": true, "документ": true,
	"скачать файл": true, "открыть файл": true, "скачать документ": true, "открыть документ": true, "смотреть документ": true,
	"посмотреть документ": true, "ссылка на документ": true, "читать далее": true, "читать полностью": true, "просмотр": true,
	"загрузить документ": true, "скан": true, "скан-копия": true, "копия": true, "view": true, "open": true, "xls": true, "xlsx": true,
	"rtf": true, "zip": true, "jpg": true, "ознакомиться с документом": true}

// documentTitle names a file by the most telling text of the links to it
// (not «скачать» or «подробнее»), or else by its file name.
func documentTitle(p *store.Page) string {
	best := ""
	for _, r := range p.Referrers {
		t := collapse(r.Anchor)
		if genericTitle(t) {
			continue
		}
		if utf8.RuneCountInString(t) > utf8.RuneCountInString(best) {
			best = t
		}
	}
	if best == "" {
		return p.FileName
	}
	return best
}

// continues reports whether a list's title for a file begins with the
// link's own words and goes on (the link covers only its first words).
func continues(listed, link string) bool {
	l, k := strings.ToLower(collapse(listed)), strings.ToLower(collapse(link))
	return k != "" && len(l) > len(k) && strings.HasPrefix(l, k)
}

// genericTitle reports whether a link's text says nothing of the file it
// links: empty, «Скачать», «Смотреть», a size, a file name.
func genericTitle(t string) bool {
	t = collapse(t)
	l := strings.ToLower(strings.Trim(t, " .:()[]«»\"-–—"))
	return l == "" || genericAnchors[l] || isFileSize(t) || looksFileName(t)
}

// looksFileName recognises a link text that is a file's name
// (scan_0012.pdf, Prikaz-45.docx, DOC001).
func looksFileName(t string) bool {
	if t == "" || strings.ContainsAny(t, " \t") {
		return false
	}
	if u, err := url.Parse(t); err == nil && extract.IsAttachmentURL(u) {
		return true
	}
	for _, r := range t {
		if r > 127 {
			return false
		}
	}
	return strings.ContainsAny(t, "_0123456789")
}

// isFileSize recognises link texts that are only a file's size or type
// («(245 Кб)», «PDF, 1.2 МБ»).
func isFileSize(t string) bool {
	t = strings.ToLower(strings.Trim(t, " ()[]"))
	for _, u := range []string{"кб", "мб", "kb", "mb", "байт"} {
		if strings.HasSuffix(t, u) && utf8.RuneCountInString(t) < 24 {
			return true
		}
	}
	return false
}
