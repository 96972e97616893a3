import { t } from '../lib/i18n';
import type { AnnotatedOptions, ImagesMode } from '../lib/annotatedOptions';
import { choice, choices, fieldset, hint, legend } from './choiceStyles';


export interface AnnotatedOptionsFieldsProps {
  options: AnnotatedOptions;
  /** Show the Images group (annotated export) or only the label files (plain case files). */
  images: boolean;
  disabled: boolean;
  /** Gets an update of the current options (two quick clicks both count). */
  onChange: (update: (current: AnnotatedOptions) => AnnotatedOptions) => void;
}

/** The **Images** radio group and the **Label files** checkboxes (issue 15; names are interface). */
export function AnnotatedOptionsFields(props: AnnotatedOptionsFieldsProps) {
  const { options } = props;
  const modes: { value: ImagesMode; label: string; help?: string }[] = [
    { value: 'drawn', label: t('imagesDrawn') },
    { value: 'original', label: t('imagesOriginal'), help: t('imagesOriginalHelp') },
  ];
  const labels: { key: 'coco' | 'yolo'; label: string; help: string }[] = [
    { key: 'coco', label: t('labelCoco'), help: t('labelCocoHelp') },
    { key: 'yolo', label: t('labelYolo'), help: t('labelYoloHelp') },
  ];
  return (
    <>
      {props.images && (
        <fieldset style={fieldset} disabled={props.disabled} role="radiogroup" aria-labelledby="we-images-legend">
          <legend id="we-images-legend" style={legend}>
            {t('annotatedImages')}
          </legend>
          <div style={choices}>
            {modes.map((m) => (
              <span style={choice}>
                <label style={choice}>
                  <input
                    type="radio"
                    name="we-annotated-images"
                    value={m.value}
                    checked={options.images === m.value}
                    aria-describedby={m.help ? `we-images-${m.value}` : undefined}
                    onChange={() => props.onChange((o) => ({ ...o, images: m.value }))}
                  />
                  {m.label}
                </label>
                {m.help && (
                  <span id={`we-images-${m.value}`} style={hint}>
                    ({m.help})
                  </span>
                )}
              </span>
            ))}
          </div>
        </fieldset>
      )}
      <fieldset style={fieldset} disabled={props.disabled}>
        <legend style={legend}>{t('labelFiles')}</legend>
        <div style={choices}>
          {labels.map((l) => (
            <span style={choice}>
              <label style={choice}>
                <input
                  type="checkbox"
                  checked={options.labels[l.key]}
                  aria-describedby={`we-labels-${l.key}`}
                  onChange={(e) => {
                    const checked = (e.target as HTMLInputElement).checked;
                    props.onChange((o) => ({ ...o, labels: { ...o.labels, [l.key]: checked } }));
                  }}
                />
                {l.label}
              </label>
              <span id={`we-labels-${l.key}`} style={hint}>
                ({l.help})
              </span>
            </span>
          ))}
        </div>
      </fieldset>
    </>
  );
}
