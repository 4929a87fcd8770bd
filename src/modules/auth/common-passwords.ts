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
qwertyuiop1234 qwertyuiopasdf qwertyuiopasdfgh qwertyuiopasdfghjkl asdfghjklzxcv zxcvbnmasdfgh
1qaz2wsx3edc4rfv 1qazxsw23edc zaq12wsxcde3 zaq1zaq1zaq1 !qaz2wsx#edc 1q2w3e4r5t6y7u8i 1q2w3e4r5t6y7u8i9o0p
q1w2e3r4t5y6 a1s2d3f4g5h6 z1x2c3v4b5n6 qweasdzxc123 qwe123qwe123 asd123asd123 zxc123zxc123 qazwsx123456
0987654321qwerty 1234567890qwerty 1234qwerasdf 1234qwerasdfzxcv 147852369abc 159357159357 123321123321
123654789123 789456123789 741852963741 963852741963 102030405060 010203040506 123123123123123
999999999999 888888888888 777777777777 666666666666 555555555555 444444444444 333333333333 222222222222
aaaaaaaaaaaa abcabcabcabc abcd1234abcd abcdefgh1234 abc123456789 a1b2c3d4e5f6 1a2b3c4d5e6f
passwordpassword1 password1password password123password password!123 password#1234 password1234567
password12345678 password123456789 p@ssword1234 p@ssw0rd12345 p@55w0rd1234 pa55word1234 passw0rd1234
passw0rd12345 password2020 password2021 password2022 password2023 password01234 mypassword1234
mynewpassword newpassword1 newpassword12 newpassword123 newpassword1234 changeme12345 changemenow1
changeyourpassword temppassword temp12345678 temporary1234 letmein123456 letmeinnow123 openthedoor1
iloveyou123456 iloveyou2024 iloveyoubaby iloveyoutoo1 iloveyousomuch ilovemyself1 ilovemymom123
ilovemyfamily ilovejesus123 jesuschrist1 jesusislord1 godisgood123 blessed12345 faithhopelove
welcome1234567 welcome2024! welcome2025! welcomehome1 welcometothejungle hellohello12 hello12345678
helloworld1234 hellokitty123 goodmorning1 goodnight123 happybirthday happydays123 sunshine12345
sunflower123 butterfly1234 rainbow12345 starlight123 moonlight123 chocolate123 cheesecake12
strawberry12 blueberry123 pineapple123 watermelon12 bubblegum123 cookiemonster spongebob1234
superman12345 supermanbatman batman1234567 spiderman123 spiderman1234 ironman12345 captainamerica
harrypotter1 harrypotter123 lordoftherings starwars12345 darthvader12 skywalker123 pokemon12345
pikachu12345 minecraft123 minecraft1234 fortnite1234 playstation1 playstation2 playstation123
xboxlive1234 nintendo1234 callofduty123 counterstrike worldofwarcraft leagueoflegends
football12345 footballfootball soccer123456 basketball123 baseball12345 hockey123456 tennis123456
manchesterunited manunited123 liverpoolfc1 liverpool1234 chelseafc123 barcelona123
realmadrid12 juventus1234 bayernmunich newyorkyankees dallascowboys steelers1234 greenbaypackers
michael123456 jennifer12345 jessica12345 ashley123456 matthew12345 daniel123456 andrew123456
christopher1 christopher12 elizabeth123 alexander123 nicholas1234 jonathan1234 benjamin1234
samantha1234 victoria1234 stephanie123 charlotte123 princess12345 princesa1234 angel1234567
dragon1234567 dragonball123 dragonfly123 monkey1234567 tigers123456 lions1234567 eagles123456
master1234567 mastermaster shadow1234567 killer123456 hunter123456 ranger123456 soldier12345
whatever12345 nothing12345 something123 anything1234 everything12 trustno1trustno blahblahblah
computer12345 internet12345 technology12 microsoft123 windows12345 google123456 facebook1234 instagram123
twitter12345 linkedin1234 youtube12345 amazon123456 netflix12345 spotify12345 apple1234567 samsung12345
administrator1 administrator123 admin12345678 admin1234567890 adminadmin1234 administrador superadmin123
root12345678 rootroot1234 toor12345678 sysadmin1234 webmaster123 default12345 guest1234567 user12345678
test12345678 testtest1234 testing12345 test1234test demo12345678 sample123456 example12345 qwerty12345678
qwertyqwerty1 qwerty123qwerty asdfasdfasdf asdfqwerzxcv qwerasdfzxcv zxcvzxcvzxcv 1234asdfqwer
secret123456 secretpassword1 topsecret123 supersecret1 privatepassword confidential security1234
securepassword secure123456 strongpassword strongpassword1 verystrongpassword mysecretpassword
doctor1234567 doctorwho123 nurse12345678 nursing12345 medical12345 medicine12345 health123456 healthcare123
hospital12345 clinic1234567 patient123456 pharmacy1234 physician123 surgeon12345 dentist12345 therapy12345
summer123456 winter123456 spring123456 autumn123456 summer2024!! winter2024!! summer2025!! winter2025!!
january12345 february1234 december1234 september123 november1234 october12345 christmas123 christmas2024
christmas2025 halloween123 thanksgiving newyear12345 happynewyear valentine123 mothersday12
abcdefghijklmnop abcdefghijk1 qwertyuiopzxcv 1234567890abcdef aabbccddeeff 11223344556677 112233445566778899
12341234123412 123412341234 1234512345123 12345678910111213 1234567890-= 1234567890987654321
`;

/** Everyday words people build long passwords from, with the suffixes they add. */
const STEMS = [
  'password',
  'welcome',
  'iloveyou',
  'letmein',
  'qwerty',
  'admin',
  'dragon',
  'monkey',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'superman',
  'batman',
  'shadow',
  'master',
  'michael',
  'charlie',
  'jordan',
  'hunter',
  'customehr',
  'hospital',
  'clinic',
  'doctor',
  'patient',
  'summer',
  'winter',
  'changeme',
  'trustno1',
  'secret',
];
const SUFFIXES = [
  '123456',
  '1234567',
  '12345678',
  '123456789',
  '2024',
  '2025',
  '2026',
  '2024!',
  '2025!',
  '2026!',
  '@123',
  '@1234',
  '!@#$',
  '123!',
  '1234!',
  '12345!',
];

const derived = STEMS.flatMap((stem) => SUFFIXES.map((suffix) => stem + suffix)).filter((p) => p.length >= 12);

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([...LIST.split(/\s+/).filter(Boolean), ...derived]);
