import type { Fact } from './facts.js';

/**
 * Filler memories so retrieval has to pick from a few hundred: conversation fragments, notes and
 * tool tips about other things. Seeded, so every run of the eval sees the same set.
 */
export function distractors(count: number, seed = 7): Fact[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const cities = ['Madrid', 'Vienna', 'Prague', 'Helsinki', 'Dublin', 'Athens', 'Krakow', 'Ghent', 'Turin', 'Tallinn', 'Zagreb', 'Seville'];
  const names = ['Olga', 'Ravi', 'Chloe', 'Mateo', 'Ines', 'Yusuf', 'Greta', 'Ahmed', 'Lucia', 'Pavel', 'Nora', 'Tariq'];
  const topics = ['quarterly planning', 'the logo redesign', 'the API deprecation', 'the offsite agenda', 'the onboarding checklist', 'the security audit', 'the data retention policy', 'the mobile release'];
  const dishes = ['lentil soup', 'shakshuka', 'mushroom risotto', 'pad thai', 'gazpacho', 'dal tadka', 'bibimbap', 'ratatouille'];
  const books = ['The Overstory', 'Piranesi', 'Project Hail Mary', 'Klara and the Sun', 'The Dispossessed', 'Station Eleven'];
  const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  const tools = ['htop', 'curl', 'sed', 'awk', 'make', 'rsync', 'gzip', 'openssl', 'du', 'lsof'];
  const templates: ((i: number) => Fact)[] = [
    (i) => [`d${i}`, 'fragments', 5 + (i % 300), `User asked what the weather would be like in ${pick(cities)} on ${pick(days)}`],
    (i) => [`d${i}`, 'fragments', 5 + (i % 300), `User said the sync about ${pick(topics)} moved to ${pick(days)} afternoon`],
    (i) => [`d${i}`, 'fragments', 5 + (i % 300), `User wants to try cooking ${pick(dishes)} for ${pick(names)} next ${pick(days)}`],
    (i) => [`d${i}`, 'fragments', 5 + (i % 300), `${pick(names)} recommended the book ${pick(books)} to the user`],
    (i) => [`d${i}`, 'fragments', 5 + (i % 300), `User mentioned ${pick(names)} is flying to ${pick(cities)} for a conference`],
    (i) => [`d${i}`, 'main', 5 + (i % 300), `${pick(names)} from the ${pick(['finance', 'legal', 'design', 'sales', 'support'])} team handles ${pick(topics)}`],
    (i) => [`d${i}`, 'instruments', 5 + (i % 300), `Tip number ${i}: ${pick(tools)} can be combined with ${pick(tools)} in a pipe for quick checks`],
    (i) => [`d${i}`, 'fragments', 5 + (i % 300), `User read an article about ${pick(['urban gardening', 'solar panels', 'chess openings', 'marathon training', 'bird watching', 'film photography'])} on ${pick(days)}`],
  ];
  const out: Fact[] = [];
  for (let i = 0; i < count; i++) out.push(templates[i % templates.length](i));
  return out;
}
