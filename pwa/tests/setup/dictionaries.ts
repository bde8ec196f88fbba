/** Both full dictionaries loaded before every test file, as on a phone once it has them. */
import { loadDictionary } from "../../src/app/i18n";

await Promise.all([loadDictionary("en"), loadDictionary("fr")]);
