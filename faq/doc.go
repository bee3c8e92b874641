// Package faq will hold the bilingual knowledge base and the matcher that maps
// how people phrase their MFA problems to its topics. It is empty until that
// work lands (issue 3); until then free-text questions get an honest
// "not ready yet" answer.
package faq
