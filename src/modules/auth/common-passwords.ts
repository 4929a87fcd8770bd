/**
 * Passwords of at least 12 characters that appear near the top of public breach corpora
 * (shorter ones already fail the length rule). Compared lower-cased.
 */
const LIST = `
123456789012 1234567890123 12345678901234 123456789123 1234567891011 111111111111 000000000000
123123123123 121212121212 112233445566 987654321098 098765432109 147258369147 123412341234
qwertyuiopas qwertyuiop12 qwertyuiop123 1qaz2wsx3edc qazwsxedcrfv 1q2w3e4r5t6y 1q2w3e4r5t6y7u
asdfghjkl123 zxcvbnm12345 qwerty123456 qwertyqwerty abcdefghijkl abcdefg12345 abc123abc123
password1234 password12345 password123456 passwordpassword password1234! password@123 p@ssw0rd1234
iloveyou1234 iloveyouforever letmein12345 welcome12345 welcome123456 welcome@1234 changeme1234
administrator admin1234567 adminadmin123 administrator1 rootpassword superman1234 batman123456
football1234 baseball1234 basketball12 sunshine1234 princess1234 starwars1234 dragon123456
monkey123456 shadow123456 master123456 michael12345 jennifer1234 trustno11234 whatever1234
computer1234 internet1234 freedom12345 liverpool123 chelsea12345 arsenal12345 manchester12
123456abcdef abcdef123456 aa1234567890 a12345678901 1234567890ab 1234567890qw qwerty1234567
mypassword12 mypassword123 secretpassword passw0rdpassw0rd hello1234567 helloworld12 helloworld123
correcthorsebatterystaple correct-horse-battery-staple trustno1trustno1 letmeinletmein
doctor123456 nurse1234567 hospital1234 clinic123456 patient12345 healthcare12 medicine1234
customehr123 customehr1234 customehr2026 summer2026!! winter2026!! spring2026!! autumn2026!!
january20261 password2024 password2025 password2026 password2027 welcome2026! company12345
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter(Boolean));
