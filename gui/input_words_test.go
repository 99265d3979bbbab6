package gui

import (
	"strings"
	"testing"

	"potok/downloader"
)

// TestListProblemsAreWordedInRussian: what is wrong with a list line is said
// in the window's language, from the engine's kinds, the line's own text
// kept; in English the words are the engine's.
func TestListProblemsAreWordedInRussian(t *testing.T) {
	lists := []struct{ list, ru string }{
		{"ftp://a/x", `схема "ftp" не поддерживается, только http и https`},
		{"a/x", `у "a/x" нет схемы; допишите в начало http:// или https://`},
		{"http:///x", "в ссылке нет хоста"},
		{"http://a:0/x", `порт "0" — не число от 1 до 65535`},
		{"http://a/x sha256:00", `контрольная сумма "sha256:00": в SHA-256 64 шестнадцатеричные цифры`},
		{"http://a/x md5:00", `контрольная сумма "md5:00": запишите её как sha256:<64 hex digits>`},
		{"http://a/x 1 2", "ожидалась ссылка и не больше одной контрольной суммы, а полей 3"},
		{"  out=x", "строка параметра, перед которой нет ссылки"},
		{"http://a/x\nhttp://a/x", "повтор ссылки (впервые в строке 1), пропущено"},
		{"http://a/x\n  out=../y", `out="../y": только имя файла, без папки и без символов, которые не примет файловая система; ссылка из строки 1 не используется`},
		{"http://a/x\n  dir=/etc", `dir="/etc": можно указать только папку внутри папки загрузки (относительно неё, без ..); ссылка из строки 1 не используется`},
		{"http://a/x\n  referer=ftp://r", `referer=: схема "ftp" не поддерживается, только http и https; ссылка из строки 1 не используется`},
		{"http://a/x\n  header=Name value", "заголовок без имени перед двоеточием: запишите его как Имя: значение; ссылка из строки 1 не используется"},
		{"http://a/x\n  checksum=md5=00", `контрольная сумма "md5=00": проверяется только SHA-256; ссылка из строки 1 не используется`},
		{"http://a/x\n  colour=red", `неизвестный параметр "colour": Potok принимает out, dir, header, referer, user-agent, checksum; ссылка из строки 1 не используется`},
		{"http://a/x\n  user-agent=a\x01b", `user-agent="a\\x01b": управляющие символы в заголовке недопустимы; ссылка из строки 1 не используется`},
		{strings.Repeat("x", 70000), "строка длиннее 65536 байт"},
	}
	problem := func(list string) error {
		l, err := downloader.ParseList(strings.NewReader(list))
		if err != nil || len(l.Problems) != 1 {
			t.Fatalf("%q: %v, %d problems", list, err, len(l.Problems))
		}
		return l.Problems[0].Err
	}
	for _, c := range lists {
		if err := problem(c.list); inputText(err) != err.Error() {
			t.Errorf("English %q:\n window %q\n engine %q", c.list, inputText(err), err.Error())
		}
	}
	inLanguage(t, langRussian, func() {
		for _, c := range lists {
			if got := inputText(problem(c.list)); got != c.ru {
				t.Errorf("%q:\n got %q\nwant %q", c.list, got, c.ru)
			}
		}
	})
}
