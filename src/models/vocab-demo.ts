/**
 * A small WordPiece vocabulary for the demo and tests: BERT's special tokens, ASCII
 * punctuation and digits, every lowercase letter both as a word start and as a "##"
 * continuation (so any lowercase ASCII word tokenizes without [UNK]), a few hundred common
 * English words and frequent suffix pieces. All entries are real bert-base-uncased tokens;
 * the ids are this list's own (index = id), not BERT's. Kept as a constant so a browser
 * bundle needs no file I/O.
 */
export const DEMO_VOCAB: readonly string[] = Object.freeze([
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  // Punctuation: every ASCII character BERT splits off.
  '!', '"', '#', '$', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/',
  ':', ';', '<', '=', '>', '?', '@', '[', '\\', ']', '^', '_', '`', '{', '|', '}', '~',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',
  'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
  '##a', '##b', '##c', '##d', '##e', '##f', '##g', '##h', '##i', '##j', '##k', '##l', '##m',
  '##n', '##o', '##p', '##q', '##r', '##s', '##t', '##u', '##v', '##w', '##x', '##y', '##z',
  '##0', '##1', '##2', '##3', '##4', '##5', '##6', '##7', '##8', '##9',
  // Function words.
  'the', 'of', 'and', 'to', 'in', 'is', 'was', 'for', 'on', 'that', 'with', 'as', 'by', 'at',
  'it', 'he', 'she', 'they', 'we', 'you', 'his', 'her', 'their', 'our', 'your', 'my', 'me',
  'him', 'them', 'us', 'this', 'these', 'those', 'an', 'be', 'are', 'were', 'been', 'being',
  'have', 'has', 'had', 'do', 'does', 'did', 'not', 'no', 'yes', 'or', 'but', 'if', 'so',
  'from', 'into', 'about', 'over', 'after', 'before', 'under', 'between', 'through', 'during',
  'will', 'would', 'can', 'could', 'should', 'may', 'might', 'must', 'there', 'here', 'where',
  'when', 'what', 'which', 'who', 'why', 'how', 'all', 'some', 'any', 'each', 'every', 'more',
  'most', 'very', 'also', 'only', 'just', 'than', 'then', 'now', 'out', 'up', 'down', 'off',
  'again', 'still', 'never', 'always', 'one', 'two', 'three', 'first', 'second', 'new', 'old',
  // Content words.
  'time', 'year', 'day', 'people', 'man', 'woman', 'child', 'world', 'life', 'hand', 'part',
  'place', 'way', 'work', 'home', 'school', 'city', 'country', 'house', 'water', 'food', 'book',
  'music', 'film', 'game', 'team', 'family', 'friend', 'name', 'word', 'story', 'question',
  'answer', 'problem', 'idea', 'system', 'data', 'model', 'image', 'picture', 'text', 'language',
  'computer', 'machine', 'learning', 'network', 'neural', 'science', 'research', 'paper',
  'number', 'result', 'test', 'example', 'group', 'point', 'fact', 'power', 'speed', 'size',
  'cat', 'dog', 'bird', 'fish', 'horse', 'tree', 'flower', 'sun', 'sky', 'sea', 'river',
  'mountain', 'car', 'road', 'train', 'ship', 'plane', 'door', 'window', 'table', 'chair', 'mat',
  'good', 'great', 'bad', 'big', 'small', 'long', 'short', 'high', 'low', 'fast', 'slow',
  'happy', 'sad', 'hot', 'cold', 'red', 'blue', 'green', 'black', 'white', 'best', 'better',
  'beautiful', 'important', 'different', 'same', 'large', 'little', 'young', 'early', 'late',
  'make', 'made', 'go', 'went', 'get', 'got', 'see', 'saw', 'know', 'think', 'take', 'come',
  'came', 'give', 'find', 'use', 'used', 'say', 'said', 'tell', 'ask', 'run', 'play', 'read',
  'write', 'love', 'like', 'want', 'need', 'help', 'show', 'look', 'sat', 'eat', 'hello',
  'movie', 'weather', 'today', 'tomorrow', 'night', 'morning', 'please', 'thank',
  'thanks', 'sorry', 'okay', 'well', 'really', 'quite', 'terrible', 'wonderful', 'amazing',
  'awful', 'excellent', 'boring', 'interesting', 'fun', 'hate', 'enjoy', 'recommend',
  'un', 'jump', 'walk', 'talk', 'open', 'close', 'start', 'end', 'turn', 'move',
  // Frequent continuation pieces.
  '##es', '##ed', '##ing', '##er', '##ers', '##est', '##ly', '##ion', '##tion', '##able',
  '##ible', '##ness', '##ment', '##ful', '##less', '##al', '##ity', '##ize', '##ise', '##ous',
  '##ive', '##ic', '##ist', '##ism', '##en', '##an', '##ia', '##on', '##or', '##ar',
  '##aff', '##ation', '##ings', '##ably', '##ally', '##ure', '##age', '##ence', '##ance',
  '##ent', '##ant', '##ish', '##ward', '##wards', '##like', '##hood', '##ship', '##dom',
]);
