package org.nashra.analysis;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;

/**
 * The subset of analysis-common's "stemmer" languages this project needs, each mapped to the same
 * Lucene filter Elasticsearch uses for it, so tokens are identical on the test node and on a full
 * cluster. An unsupported language fails index creation instead of silently not stemming.
 */
@NamedComponent("stemmer")
public class StemmerFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @StringSetting(path = "language", defaultValue = "")
        String language();

        // Elasticsearch still accepts the older "name" key as an alias of "language".
        @StringSetting(path = "name", defaultValue = "")
        String name();
    }

    private static final Map<String, UnaryOperator<TokenStream>> STEMMERS = new TreeMap<>();

    static {
        STEMMERS.put("arabic", ArabicStemFilter::new);
        STEMMERS.put("english", PorterStemFilter::new);
        STEMMERS.put("porter", PorterStemFilter::new);
        STEMMERS.put("porter2", ts -> new SnowballFilter(ts, new EnglishStemmer()));
        STEMMERS.put("light_english", KStemFilter::new);
        STEMMERS.put("minimal_english", EnglishMinimalStemFilter::new);
        STEMMERS.put("possessive_english", EnglishPossessiveFilter::new);
        STEMMERS.put("french", ts -> new SnowballFilter(ts, new FrenchStemmer()));
        STEMMERS.put("light_french", FrenchLightStemFilter::new);
        STEMMERS.put("minimal_french", FrenchMinimalStemFilter::new);
    }

    private final UnaryOperator<TokenStream> stemmer;

    @Inject
    public StemmerFilterFactory(Settings settings) {
        String language = settings.language().isEmpty() ? settings.name() : settings.language();
        // Elasticsearch's default language is the Porter stemmer.
        if (language.isEmpty()) {
            language = "porter";
        }
        UnaryOperator<TokenStream> found = STEMMERS.get(language.toLowerCase(Locale.ROOT));
        if (found == null) {
            throw new IllegalArgumentException(
                "stemmer language [" + language + "] is not supported by the nashra-analysis plugin; supported: "
                    + String.join(", ", STEMMERS.keySet())
            );
        }
        this.stemmer = found;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return stemmer.apply(tokenStream);
    }
}
