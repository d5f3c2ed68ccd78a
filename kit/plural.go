package kit

import "fmt"

// Plural counts n of noun for a summary: "1 rule", "3 rules" (noun takes an
// "s"; irregular plurals are the caller's).
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
