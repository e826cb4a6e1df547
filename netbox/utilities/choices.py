"""ChoiceSet: a model field's choices declared as a class, as NetBox plugins declare them."""

__all__ = ('ChoiceSet',)


class ChoiceSetMeta(type):
    """Iterating the class (or passing it as `choices=`) gives its (value, label) pairs."""

    def __new__(mcs, name, bases, attrs):
        cls = super().__new__(mcs, name, bases, attrs)
        choices = attrs.get('CHOICES')
        if choices is not None:
            cls._choices = list(choices)
            # Colours: a third element of a choice.
            cls.colors = {entry[0]: entry[2] for entry in choices if len(entry) > 2 and not isinstance(entry[1],
                                                                                                        (list, tuple))}
        return cls

    def __iter__(cls):
        for entry in getattr(cls, '_choices', ()):
            if isinstance(entry[1], (list, tuple)):  # a group: (label, ((value, label), ...))
                yield entry[0], [(value, label) for value, label, *_ in entry[1]]
            else:
                yield entry[0], entry[1]

    def __call__(cls, *args, **kwargs):
        # Django calls a callable `choices`; the class itself gives the pairs.
        return list(cls.__iter__())


class ChoiceSet(metaclass=ChoiceSetMeta):
    """Subclass it with `CHOICES = ((value, label), ...)` (or `(value, label, colour)`), and constants."""

    CHOICES = ()

    @classmethod
    def values(cls):
        out = []
        for value, label in cls:
            if isinstance(label, list):
                out.extend(inner for inner, _ in label)
            else:
                out.append(value)
        return out
